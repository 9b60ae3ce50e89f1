/*
 * Evaluates a CloudFormation template's intrinsic functions the way
 * CloudFormation does when it creates a stack: Ref, Fn::GetAtt, Fn::Sub,
 * Fn::If and the condition functions, Fn::Join, Fn::Select, Fn::Split,
 * Fn::FindInMap, Fn::Base64, Fn::GetAZs and AWS::NoValue. The rehearsal's
 * fake CloudFormation resolves the real template with it, so the nodes boot
 * with the user data, IAM policies and launch template the stack would have.
 */

/** A resolved property that CloudFormation drops (`AWS::NoValue`). */
export const NO_VALUE: unique symbol = Symbol("AWS::NoValue");

/** A resource already created: what `Ref` and `Fn::GetAtt` return for it. */
export interface CreatedResource {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** A parameter's value: a list for a `List<…>` or `CommaDelimitedList` type, as `Ref` returns it. */
export type ParameterValue = string | readonly string[];

/** Everything intrinsic functions can refer to while a stack is created. */
export interface StackScope {
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  /** `AWS::Region`, `AWS::StackName`, … */
  readonly pseudo: Readonly<Record<string, string>>;
  readonly mappings: Readonly<Record<string, unknown>>;
  readonly conditions: Readonly<Record<string, boolean>>;
  readonly resources: Readonly<Record<string, CreatedResource>>;
  readonly availabilityZones: readonly string[];
}

type Json = unknown;

const isObject = (value: Json): value is Record<string, Json> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function fail(message: string): never {
  throw new Error(`template: ${message}`);
}

function lookup(scope: StackScope, name: string): ParameterValue {
  if (Object.hasOwn(scope.parameters, name)) return scope.parameters[name] as ParameterValue;
  if (Object.hasOwn(scope.pseudo, name)) return scope.pseudo[name] as string;
  const resource = scope.resources[name];
  if (resource !== undefined) return resource.ref;
  return fail(`no value for ${name}`);
}

function attribute(scope: StackScope, resource: string, name: string): string {
  const created = scope.resources[resource] ?? fail(`${resource} is not created yet`);
  const value = created.attributes[name];
  return value ?? fail(`${resource} has no attribute ${name}`);
}

function substitute(scope: StackScope, text: string, variables: Record<string, Json>): string {
  return text.replace(/\$\{(!?)([^}]+)\}/g, (_, literal: string, name: string) => {
    if (literal === "!") return `\${${name}}`;
    if (Object.hasOwn(variables, name)) return String(resolveValue(variables[name], scope));
    if (name.includes(".")) {
      const [resource = "", attr = ""] = name.split(".", 2);
      return attribute(scope, resource, attr);
    }
    const value = lookup(scope, name);
    return typeof value === "string" ? value : fail(`Fn::Sub cannot use the list ${name}`);
  });
}

function stringOf(value: Json, what: string): string {
  if (typeof value !== "string" && typeof value !== "number") fail(`${what} needs a string`);
  return String(value);
}

/** The value of a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition). */
export function conditionValue(node: Json, scope: StackScope): boolean {
  if (!isObject(node)) return fail(`not a condition: ${JSON.stringify(node)}`);
  const [key, argument] = Object.entries(node)[0] ?? [];
  const args = Array.isArray(argument) ? argument : [];
  switch (key) {
    case "Condition":
      return scope.conditions[String(argument)] ?? fail(`no condition ${String(argument)}`);
    case "Fn::Equals":
      return String(resolveValue(args[0], scope)) === String(resolveValue(args[1], scope));
    case "Fn::And":
      return args.every((arg) => conditionValue(arg, scope));
    case "Fn::Or":
      return args.some((arg) => conditionValue(arg, scope));
    case "Fn::Not":
      return !conditionValue(args[0], scope);
    default:
      return fail(`cannot evaluate ${String(key)} as a condition`);
  }
}

/** Evaluates every condition of a template, in any order of declaration. */
export function evaluateConditions(
  template: Record<string, Json>,
  scope: Omit<StackScope, "conditions">,
): Record<string, boolean> {
  const declared = isObject(template["Conditions"]) ? template["Conditions"] : {};
  const values: Record<string, boolean> = {};
  const evaluating = new Set<string>();
  const conditions = new Proxy(values, {
    get(target, name: string) {
      if (!Object.hasOwn(target, name)) {
        if (evaluating.has(name)) fail(`condition ${name} refers to itself`);
        evaluating.add(name);
        target[name] = conditionValue(declared[name], { ...scope, conditions });
      }
      return target[name];
    },
  });
  for (const name of Object.keys(declared)) void conditions[name];
  return { ...values };
}

/**
 * A template value with every intrinsic function evaluated: a string, number,
 * list or object, or {@link NO_VALUE} for a property CloudFormation drops.
 */
export function resolveValue(node: Json, scope: StackScope): Json | typeof NO_VALUE {
  if (Array.isArray(node)) {
    return node.map((item) => resolveValue(item, scope)).filter((item) => item !== NO_VALUE);
  }
  if (!isObject(node)) return node;
  const entries = Object.entries(node);
  const [key, argument] = entries[0] ?? [];
  if (entries.length === 1 && key !== undefined && (key === "Ref" || key.startsWith("Fn::"))) {
    return intrinsic(key, argument, scope);
  }
  const out: Record<string, Json> = {};
  for (const [name, value] of entries) {
    const resolved = resolveValue(value, scope);
    if (resolved !== NO_VALUE) out[name] = resolved;
  }
  return out;
}

/** The value of one intrinsic function, `Ref` or an `Fn::`, applied to `argument`. */
function intrinsic(key: string, argument: Json, scope: StackScope): Json | typeof NO_VALUE {
  const args = Array.isArray(argument) ? argument : [];
  const resolved = (value: Json) => resolveValue(value, scope);
  switch (key) {
    case "Ref": {
      if (argument === "AWS::NoValue") return NO_VALUE;
      const value = lookup(scope, String(argument));
      return typeof value === "string" ? value : [...value];
    }
    case "Fn::GetAtt":
      return attribute(scope, String(args[0]), String(args[1]));
    case "Fn::Sub": {
      const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
      return substitute(scope, stringOf(text, "Fn::Sub"), isObject(variables) ? variables : {});
    }
    case "Fn::If": {
      const chosen = scope.conditions[String(args[0])];
      if (chosen === undefined) fail(`no condition ${String(args[0])}`);
      return resolved(chosen ? args[1] : args[2]);
    }
    case "Fn::Join": {
      const list = resolved(args[1]);
      if (!Array.isArray(list)) fail("Fn::Join needs a list");
      return list.map((item) => stringOf(item, "Fn::Join")).join(String(args[0]));
    }
    case "Fn::Select": {
      const list = resolved(args[1]);
      if (!Array.isArray(list)) fail("Fn::Select needs a list");
      return list[Number(resolved(args[0]))] ?? fail("Fn::Select index out of range");
    }
    case "Fn::Split":
      return stringOf(resolved(args[1]), "Fn::Split").split(String(args[0]));
    case "Fn::FindInMap": {
      const [map, top, second] = args.map((arg) => String(resolved(arg)));
      const entry = (scope.mappings[map ?? ""] as Record<string, Record<string, Json>>)?.[
        top ?? ""
      ];
      return entry?.[second ?? ""] ?? fail(`no mapping ${map}.${top}.${second}`);
    }
    case "Fn::Base64":
      return Buffer.from(stringOf(resolved(argument), "Fn::Base64")).toString("base64");
    case "Fn::GetAZs":
      return [...scope.availabilityZones];
    default:
      return fail(`unsupported ${key}`);
  }
}

/** The resources a resource waits for: its Ref, Fn::GetAtt and Fn::Sub targets and DependsOn. */
function dependenciesOf(resource: Record<string, Json>, names: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  const visit = (node: Json) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "Ref" && typeof value === "string" && names.has(value)) found.add(value);
      if (key === "Fn::GetAtt" && Array.isArray(value)) found.add(String(value[0]));
      if (key === "Fn::Sub") {
        const text = Array.isArray(value) ? value[0] : value;
        for (const match of String(text).matchAll(/\$\{([^!}][^}.]*)[^}]*\}/g)) {
          if (names.has(match[1] ?? "")) found.add(match[1] ?? "");
        }
      }
      visit(value);
    }
  };
  visit(resource["Properties"]);
  visit(resource["Metadata"]);
  for (const name of [resource["DependsOn"] ?? []].flat()) found.add(String(name));
  return [...found].filter((name) => names.has(name));
}

/** Resource names in an order where each comes after everything it depends on. */
export function creationOrder(resources: Record<string, Record<string, Json>>): string[] {
  const names = new Set(Object.keys(resources));
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") fail(`circular dependency at ${name}`);
    state.set(name, "visiting");
    for (const dependency of dependenciesOf(resources[name] ?? {}, names)) visit(dependency);
    state.set(name, "done");
    order.push(name);
  };
  for (const name of [...names].sort()) visit(name);
  return order;
}
