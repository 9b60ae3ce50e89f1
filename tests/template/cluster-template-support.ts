import { readFileSync } from "node:fs";
import { isLeft, isRight } from "fp-ts/lib/Either.js";
import {
  checkParameterValue,
  decodeTemplate,
  type CfnTemplate,
  type ParameterDeclaration,
} from "../../functions/shared/cfn-template.js";
import { decodeConfig } from "../../functions/shared/cluster-config.js";
import { CLUSTER_TEMPLATE_PATH } from "../../template/build-template.js";

/*
 * Test helpers for the default template: load it, walk it, and evaluate its
 * conditions for given parameter values (only the intrinsics the template
 * uses in conditions: Ref, Fn::Equals, Fn::Or, Fn::Not, Condition,
 * Fn::FindInMap, and Fn::Select, Fn::Split and Fn::Sub over parameters).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const PSEUDO_PARAMETERS = new Set([
  "AWS::AccountId",
  "AWS::NotificationARNs",
  "AWS::NoValue",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
]);

/** cluster.json as committed, parsed. */
export function loadClusterTemplate(): JsonObject {
  return JSON.parse(readFileSync(CLUSTER_TEMPLATE_PATH, "utf8")) as JsonObject;
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The section of a template as an object (empty when absent). */
export function section(template: JsonObject, name: string): JsonObject {
  const value = template[name];
  return isObject(value) ? value : {};
}

/** Calls `visit` on every object node with its path. */
export function walk(node: Json, visit: (node: JsonObject, path: string) => void, path = ""): void {
  if (Array.isArray(node)) {
    node.forEach((item, index) => walk(item, visit, `${path}/${index}`));
  } else if (isObject(node)) {
    visit(node, path);
    for (const [key, value] of Object.entries(node)) walk(value, visit, `${path}/${key}`);
  }
}

/** The `${…}` variables of an Fn::Sub string; `${!…}` is a literal and not one. */
export function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^!}][^}]*)\}/g)].map((match) => match[1] ?? "");
}

/** The parameter values CloudFormation would use: the template defaults, then `values`. */
export function parameterValues(
  template: JsonObject,
  values: Record<string, string>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, declaration] of Object.entries(section(template, "Parameters"))) {
    if (isObject(declaration) && declaration["Default"] !== undefined) {
      result[name] = String(declaration["Default"]);
    }
  }
  return { ...result, ...values };
}

function evaluate(template: JsonObject, node: Json, params: Record<string, string>): Json {
  if (!isObject(node)) return node;
  const [key, argument] = Object.entries(node)[0] ?? [];
  const args = Array.isArray(argument) ? argument : [];
  switch (key) {
    case "Ref":
      if (typeof argument !== "string" || params[argument] === undefined) {
        throw new Error(`no value for Ref ${JSON.stringify(argument)}`);
      }
      return params[argument];
    case "Condition":
      return evaluateCondition(template, String(argument), params);
    case "Fn::Equals":
      return (
        evaluate(template, args[0] ?? null, params) === evaluate(template, args[1] ?? null, params)
      );
    case "Fn::Or":
      return args.some((arg) => evaluate(template, arg, params) === true);
    case "Fn::And":
      return args.every((arg) => evaluate(template, arg, params) === true);
    case "Fn::Not":
      return evaluate(template, args[0] ?? null, params) !== true;
    case "Fn::FindInMap": {
      const [map, top, second] = args.map((arg) => String(evaluate(template, arg, params)));
      const entry = section(section(template, "Mappings"), map ?? "")[top ?? ""];
      const value = isObject(entry) ? entry[second ?? ""] : undefined;
      if (value === undefined) throw new Error(`no mapping entry ${map}.${top}.${second}`);
      return value;
    }
    case "Fn::Select": {
      const list = evaluate(template, args[1] ?? null, params);
      if (!Array.isArray(list)) throw new Error("Fn::Select needs a list");
      const item = list[Number(args[0])];
      if (item === undefined) throw new Error("Fn::Select index out of range");
      return item;
    }
    case "Fn::Split":
      return String(evaluate(template, args[1] ?? null, params)).split(String(args[0]));
    case "Fn::Sub":
      return String(argument).replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) => {
        const value = params[name];
        if (value === undefined) throw new Error(`no value for \${${name}}`);
        return value;
      });
    default:
      throw new Error(`cannot evaluate ${String(key)} in a condition`);
  }
}

/** Whether the named condition holds for these parameter values (defaults filled in). */
export function evaluateCondition(
  template: JsonObject,
  name: string,
  values: Record<string, string>,
): boolean {
  const condition = section(template, "Conditions")[name];
  if (condition === undefined) throw new Error(`no condition ${name}`);
  return evaluate(template, condition, parameterValues(template, values)) === true;
}

/**
 * A copy of `node` where every `Fn::If` on one of `conditions` is replaced by
 * the branch CloudFormation would take for `values`.
 */
export function chooseBranches(
  template: JsonObject,
  node: Json,
  conditions: readonly string[],
  values: Record<string, string>,
): Json {
  if (Array.isArray(node))
    return node.map((item) => chooseBranches(template, item, conditions, values));
  if (!isObject(node)) return node;
  const branch = node["Fn::If"];
  if (Array.isArray(branch) && typeof branch[0] === "string" && conditions.includes(branch[0])) {
    const chosen = evaluateCondition(template, branch[0], values) ? branch[1] : branch[2];
    return chooseBranches(template, chosen ?? null, conditions, values);
  }
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      chooseBranches(template, value, conditions, values),
    ]),
  );
}

/**
 * One role's user data as the instance receives it: the Fn::Sub header with
 * `values` substituted (resource attributes and pseudo parameters included),
 * then the static bootstrap.
 */
export function renderUserData(userData: Json, values: Record<string, string>): string {
  const join =
    isObject(userData) && isObject(userData["Fn::Base64"])
      ? userData["Fn::Base64"]["Fn::Join"]
      : undefined;
  const parts = Array.isArray(join) && Array.isArray(join[1]) ? join[1] : [];
  return parts
    .map((part) => {
      if (typeof part === "string") return part;
      const sub = isObject(part) ? part["Fn::Sub"] : undefined;
      // The variable map's values are intrinsics: `values` gives each one's sample value.
      const text = Array.isArray(sub) ? sub[0] : sub;
      if (typeof text !== "string") throw new Error("unexpected user data part");
      return text.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) => {
        const value = values[name];
        if (value === undefined) throw new Error(`no sample value for \${${name}}`);
        return value;
      });
    })
    .join("");
}

/** The committed template, parsed once for every test file. */
export const template = loadClusterTemplate();
export const parameters = section(template, "Parameters");
export const resources = section(template, "Resources");

/** The template as the core decodes it. */
export function decoded(): CfnTemplate {
  const result = decodeTemplate(template);
  if (isLeft(result)) throw new Error(result.left.join("\n"));
  return result.right;
}

/** One parameter's declaration, as the core decodes it. */
export function declaration(name: string): ParameterDeclaration {
  const found = decoded().Parameters?.[name];
  if (found === undefined) throw new Error(`no parameter ${name}`);
  return found;
}

/** Whether the template's own constraints accept `value` for `name`. */
export const templateAccepts = (name: string, value: string) =>
  checkParameterValue(name, declaration(name), value).length === 0;

/** The codec's normalised value for one field, or undefined when it refuses it. */
export function codecValue(field: string, value: unknown): string | undefined {
  const result = decodeConfig({ [field]: value });
  return isRight(result) ? (result.right as Record<string, string>)[field] : undefined;
}

/** A resource's `Properties`. */
export const properties = (name: string) =>
  (resources[name] as JsonObject)["Properties"] as JsonObject;
