import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { expect } from "chai";
import { isLeft } from "fp-ts/lib/Either.js";
import { MAX_TEMPLATE_BODY_BYTES, decodeTemplate } from "../../functions/shared/cfn-template.js";
import { decodeConfig } from "../../functions/shared/cluster-config.js";
import { isClusterName, isUserId } from "../../functions/shared/identifiers.js";
import { LOGIN_IP_OUTPUT } from "../../functions/shared/template-contract.js";
import { mergeTemplate } from "../../functions/shared/template-merge.js";
import { CLUSTER_TEMPLATE_PATH, renderClusterTemplate } from "../../template/build-template.js";
import { MASTER_RESOURCE } from "../../template/node-common.js";
import { basePolicy } from "../support/policies.js";
import {
  decoded,
  isObject,
  parameters,
  PSEUDO_PARAMETERS,
  resources,
  section,
  subVariables,
  template,
  walk,
  type JsonObject,
} from "./cluster-template-support.js";

/*
 * The assembled template (template/build-template.ts): generated exactly as
 * committed, every reference resolving, and a template the core's merge
 * accepts with the seed's config.
 */

/** The seed README's example config, which must stay valid. */
const SEED_CONFIG = JSON.parse(
  readFileSync(new URL("../fixtures/configs/seed-example.json", import.meta.url), "utf8"),
) as Record<string, string>;

describe("the default cluster template (template/cluster.json)", () => {
  it("is exactly what template/build-template.ts generates", async () => {
    expect(readFileSync(CLUSTER_TEMPLATE_PATH, "utf8")).to.equal(await renderClusterTemplate());
  });

  it("decodes with decodeTemplate", () => {
    expect(decodeTemplate(template)._tag).to.equal("Right");
  });

  describe("references", () => {
    const names = new Set([...Object.keys(parameters), ...Object.keys(resources)]);
    const conditions = new Set(Object.keys(section(template, "Conditions")));

    it("has every Ref name a parameter, resource or pseudo parameter", () => {
      const bad: string[] = [];
      walk(template, (node, path) => {
        const target = node["Ref"];
        if (typeof target === "string" && !names.has(target) && !PSEUDO_PARAMETERS.has(target)) {
          bad.push(`${path}: Ref ${target}`);
        }
      });
      expect(bad).to.deep.equal([]);
    });

    it("has every Fn::GetAtt name a resource and an attribute its type has", () => {
      // The 2023 CloudFormation resource specification, as the cfn-lint test loads it.
      const specification = createRequire(import.meta.url)("@aws-cdk/cfnspec").specification() as {
        ResourceTypes: Record<string, { Attributes?: Record<string, unknown> }>;
      };
      const attributes = (type: string) =>
        Object.keys(specification.ResourceTypes[type]?.Attributes ?? {});
      const bad: string[] = [];
      const check = (resource: string, attribute: string, path: string) => {
        const target = resources[resource];
        const type = isObject(target) ? String(target["Type"]) : "";
        if (!attributes(type).includes(attribute)) bad.push(`${path}: ${resource}.${attribute}`);
      };
      walk(template, (node, path) => {
        const getAtt = node["Fn::GetAtt"];
        if (Array.isArray(getAtt)) check(String(getAtt[0]), String(getAtt[1]), path);
        const sub = node["Fn::Sub"];
        const text = Array.isArray(sub) ? sub[0] : sub;
        if (typeof text === "string") {
          for (const variable of subVariables(text).filter((v) => v.includes("."))) {
            const [resource = "", attribute = ""] = variable.split(".");
            check(resource, attribute, path);
          }
        }
      });
      expect(bad).to.deep.equal([]);
    });

    it("has every Fn::Sub variable resolve to a map key, parameter, resource or pseudo parameter", () => {
      const bad: string[] = [];
      let seen = 0;
      walk(template, (node, path) => {
        const sub = node["Fn::Sub"];
        if (sub === undefined) return;
        const [text, map] = Array.isArray(sub) ? sub : [sub, {}];
        if (typeof text !== "string") {
          bad.push(`${path}: Fn::Sub without a string`);
          return;
        }
        const keys = new Set(isObject(map ?? null) ? Object.keys(map as JsonObject) : []);
        for (const variable of subVariables(text)) {
          seen += 1;
          const base = variable.split(".")[0] ?? "";
          const known = keys.has(variable) || PSEUDO_PARAMETERS.has(variable) || names.has(base);
          if (!known || (variable.includes(".") && !Object.hasOwn(resources, base))) {
            bad.push(`${path}: \${${variable}}`);
          }
        }
      });
      expect(bad).to.deep.equal([]);
      expect(seen).to.be.greaterThan(20);
    });

    it("names only declared conditions and resources in Condition, Fn::If and DependsOn", () => {
      const bad: string[] = [];
      walk(template, (node, path) => {
        const branch = node["Fn::If"];
        if (Array.isArray(branch) && !conditions.has(String(branch[0])))
          bad.push(`${path}: ${branch[0]}`);
        const condition = node["Condition"];
        if (typeof condition === "string" && !conditions.has(condition))
          bad.push(`${path}: ${condition}`);
      });
      for (const [name, resource] of Object.entries(resources)) {
        const dependsOn = isObject(resource) ? resource["DependsOn"] : undefined;
        for (const target of [dependsOn ?? []].flat()) {
          if (!Object.hasOwn(resources, String(target))) bad.push(`${name} DependsOn ${target}`);
        }
      }
      expect(bad).to.deep.equal([]);
    });

    it("has an entry in every Fn::FindInMap mapping for every value its key parameter allows", () => {
      const mappings = section(template, "Mappings");
      const bad: string[] = [];
      walk(template, (node) => {
        const find = node["Fn::FindInMap"];
        if (!Array.isArray(find)) return;
        const [map, top, second] = find;
        const key = isObject(top ?? null) ? (top as JsonObject)["Ref"] : undefined;
        const allowed = isObject(parameters[String(key)] ?? null)
          ? ((parameters[String(key)] as JsonObject)["AllowedValues"] as string[])
          : [];
        for (const value of allowed) {
          const entry = section(mappings, String(map))[value];
          if (!isObject(entry ?? null) || (entry as JsonObject)[String(second)] === undefined) {
            bad.push(`${map}.${value}.${second}`);
          }
        }
      });
      expect(bad).to.deep.equal([]);
    });
  });

  describe("merging a config (mergeTemplate)", () => {
    const policy = basePolicy({ customizer: { bucket: "b", prefix: "customizer" } });

    function merge(config: unknown, user = "alice") {
      const decodedConfig = decodeConfig(config);
      if (isLeft(decodedConfig)) throw new Error(decodedConfig.left.join("\n"));
      const cluster = "c1";
      if (!isUserId(user) || !isClusterName(cluster)) throw new Error("bad fixture");
      return mergeTemplate({
        template: decoded(),
        policy,
        user,
        cluster,
        config: decodedConfig.right,
        requestId: "v1",
      });
    }

    it("merges the seed's example config cleanly, with the system parameters set", () => {
      const result = merge(SEED_CONFIG);
      if (isLeft(result)) throw new Error(result.left.join("\n"));
      const values = Object.fromEntries(
        result.right.parameters.map((p) => [p.ParameterKey, p.ParameterValue]),
      );
      expect(values).to.deep.include({
        ...SEED_CONFIG,
        AccessUsername: "alice",
        FlightProfiles: "alice",
        ClusterName: "c1",
        CustomizerBucket: "b",
        CustomizerPrefix: "customizer",
      });
      expect(result.right.capabilities).to.deep.equal(["CAPABILITY_IAM"]);
      const bytes = new TextEncoder().encode(JSON.stringify(template)).byteLength;
      expect(result.right.template.kind).to.equal(
        bytes <= MAX_TEMPLATE_BODY_BYTES ? "body" : "url-required",
      );
    });

    it("merges an empty config with the template's defaults", () => {
      expect(merge({})._tag).to.equal("Right");
    });

    it("refuses an instance label the template does not list, with its ConstraintDescription", () => {
      const result = merge({ ...SEED_CONFIG, ComputeInstanceTypeOther: "t3.micro-2C-1GB" });
      expect(isLeft(result) && result.left.join(" ")).to.match(
        /ComputeInstanceTypeOther: must be one of/,
      );
    });
  });

  describe("outputs", () => {
    const outputs = section(template, "Outputs");
    it("gives LoginIp as the master's public IP, and LoginUser and ClusterName", () => {
      expect(outputs[LOGIN_IP_OUTPUT]).to.deep.include({
        Value: { "Fn::GetAtt": [MASTER_RESOURCE, "PublicIp"] },
      });
      expect(outputs["LoginUser"]).to.deep.include({ Value: { Ref: "AccessUsername" } });
      expect(outputs["ClusterName"]).to.deep.include({ Value: { Ref: "ClusterName" } });
    });
  });
});
