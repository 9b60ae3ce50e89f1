import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { expect } from "chai";
import fc from "fast-check";
import { isLeft, isRight } from "fp-ts/lib/Either.js";
import {
  CLUSTER_CONFIG_FIELDS,
  decodeConfig,
  FIELD_RULES,
  instanceTypeOfLabel,
} from "../../functions/shared/cluster-config.js";
import {
  checkParameterValue,
  decodeTemplate,
  MAX_TEMPLATE_BODY_BYTES,
  type CfnTemplate,
  type ParameterDeclaration,
} from "../../functions/shared/cfn-template.js";
import { isClusterName, isUserId } from "../../functions/shared/identifiers.js";
import { mergeTemplate, resolveInstanceType } from "../../functions/shared/template-merge.js";
import {
  NODE_IAM_PATH as SERVICE_ROLE_IAM_PATH,
  templateProblems,
} from "../../stacks/cloudformation/service-role-permissions.js";
import {
  CLUSTER_TEMPLATE_PATH,
  COMPUTE_GROUP_NAME,
  MASTER_RESOURCE,
  NODE_IAM_PATH,
  renderClusterTemplate,
} from "../../template/build-template.js";
import { INSTANCE_PRESETS, OTHER_CHOICE } from "../../template/instance-types.js";
import { basePolicy } from "../support/policies.js";
import {
  evaluateCondition,
  isObject,
  loadClusterTemplate,
  PSEUDO_PARAMETERS,
  section,
  subVariables,
  walk,
  type Json,
  type JsonObject,
} from "./cluster-template-support.js";

/** The seed README's example config, which must stay valid. */
const SEED_CONFIG = JSON.parse(
  readFileSync(new URL("../fixtures/configs/seed-example.json", import.meta.url), "utf8"),
) as Record<string, string>;

const template = loadClusterTemplate();
const parameters = section(template, "Parameters");
const resources = section(template, "Resources");

function decoded(): CfnTemplate {
  const result = decodeTemplate(template);
  if (isLeft(result)) throw new Error(result.left.join("\n"));
  return result.right;
}

function declaration(name: string): ParameterDeclaration {
  const found = decoded().Parameters?.[name];
  if (found === undefined) throw new Error(`no parameter ${name}`);
  return found;
}

/** Whether the template's own constraints accept `value` for `name`. */
const templateAccepts = (name: string, value: string) =>
  checkParameterValue(name, declaration(name), value).length === 0;

/** The codec's normalised value for one field, or undefined when it refuses it. */
function codecValue(field: string, value: unknown): string | undefined {
  const result = decodeConfig({ [field]: value });
  return isRight(result) ? (result.right as Record<string, string>)[field] : undefined;
}

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

  describe("parameters agree with the config codec (FIELD_RULES)", () => {
    it("declares every codec field, each with a ConstraintDescription", () => {
      for (const field of CLUSTER_CONFIG_FIELDS) {
        expect(parameters, field).to.have.property(field);
        expect(declaration(field).ConstraintDescription, field).to.be.a("string");
      }
    });

    it("gives every constrained parameter a ConstraintDescription", () => {
      for (const [name, value] of Object.entries(decoded().Parameters ?? {})) {
        const constrained =
          value.AllowedPattern ?? value.AllowedValues ?? value.MinValue ?? value.MaxValue;
        if (constrained !== undefined) expect(value.ConstraintDescription, name).to.be.a("string");
      }
    });

    for (const field of [
      "ComputeInitialNodes",
      "ComputeMaxNodes",
      "MasterSystemVolumeSize",
    ] as const) {
      it(`bounds ${field} exactly as the codec does`, () => {
        const { min, max } = FIELD_RULES[field];
        expect(Number(declaration(field).MinValue)).to.equal(min);
        expect(Number(declaration(field).MaxValue)).to.equal(max);
        for (const edge of [min, max]) {
          expect(codecValue(field, String(edge)), `codec ${edge}`).to.equal(String(edge));
          expect(templateAccepts(field, String(edge)), `template ${edge}`).to.equal(true);
        }
        for (const outside of [min - 1, max + 1]) {
          expect(codecValue(field, String(outside)), `codec ${outside}`).to.equal(undefined);
          expect(templateAccepts(field, String(outside)), `template ${outside}`).to.equal(false);
        }
      });
    }

    it("allows exactly the codec's AutoscalingPolicy values", () => {
      expect(declaration("AutoscalingPolicy").AllowedValues).to.deep.equal([
        ...FIELD_RULES.AutoscalingPolicy.values,
      ]);
    });

    const priceEdges = [
      ["0", true],
      ["0.0", true],
      ["0.00000", true],
      ["0.000000", false],
      ["0.0005", false],
      ["0.001", false],
      ["0.0010", false],
      ["0.00100", false],
      ["0.00101", true],
      ["0.0011", true],
      ["0.002", true],
      ["0.03", true],
      ["999.99999", true],
      ["1000", true],
      ["1000.00000", true],
      ["1000.00001", false],
      ["1001", false],
      ["01", false],
      ["-1", false],
      ["1e3", false],
      [".5", false],
      ["", false],
    ] as const;
    for (const [price, accepted] of priceEdges) {
      it(`${accepted ? "accepts" : "refuses"} spot price ${JSON.stringify(price)} in both codec and template`, () => {
        expect(codecValue("ComputeSpotPrice", price) !== undefined, "codec").to.equal(accepted);
        expect(templateAccepts("ComputeSpotPrice", price), "template").to.equal(accepted);
      });
    }

    it("accepts a spot price in the template exactly when the codec accepts it", () => {
      const candidates = fc.oneof(
        fc.stringMatching(/^[0-9]{1,4}(\.[0-9]{0,6})?$/),
        fc.double({ min: 0, max: 1100, noNaN: true }).map((n) => n.toFixed(5)),
        fc.integer({ min: 0, max: 1100 }).map(String),
      );
      fc.assert(
        fc.property(candidates, (price) => {
          const codec = codecValue("ComputeSpotPrice", price);
          expect(templateAccepts("ComputeSpotPrice", price), price).to.equal(codec !== undefined);
        }),
        { numRuns: 2000 },
      );
    });

    it("offers only presets and other the codec accepts as instance choices", () => {
      for (const role of ["Compute", "Master"]) {
        const allowed = declaration(`${role}InstanceType`).AllowedValues ?? [];
        expect(allowed).to.include(OTHER_CHOICE);
        for (const choice of allowed)
          expect(codecValue(`${role}InstanceType`, choice)).to.equal(choice);
      }
    });

    it("offers only instance labels the codec accepts and instanceTypeOfLabel parses", () => {
      for (const role of ["Compute", "Master"]) {
        const labels = (declaration(`${role}InstanceTypeOther`).AllowedValues ?? []).map(String);
        expect(labels.length).to.be.greaterThan(50);
        expect(labels).to.include("r4.large-2C-15.25GB");
        for (const label of labels) {
          expect(codecValue(`${role}InstanceTypeOther`, label), label).to.equal(label);
          // The template takes the type with Fn::Select [0, Fn::Split ["-", label]].
          expect(instanceTypeOfLabel(label), label).to.equal(label.split("-")[0]);
        }
      }
    });

    it("refuses in the template what the shell header could not quote", () => {
      // These parameters are written inside single quotes in the nodes' boot.env.
      const quoted = [
        "AccessUsername",
        "FlightProfiles",
        "ClusterName",
        "CustomizerBucket",
        "CustomizerPrefix",
      ];
      fc.assert(
        fc.property(fc.string(), fc.string(), fc.constantFrom(...quoted), (before, after, name) => {
          expect(templateAccepts(name, `${before}'${after}`)).to.equal(false);
          expect(templateAccepts(name, `${before}\n${after}`)).to.equal(false);
        }),
      );
    });
  });

  describe("instance types", () => {
    const labels = (declaration("ComputeInstanceTypeOther").AllowedValues ?? []).map(String);
    const shapeOf = (type: string) => labels.find((label) => label.startsWith(`${type}-`));

    it("labels well-known types with their documented vCPUs and memory", () => {
      const documented: Record<string, string> = {
        "r4.large": "2C-15.25GB",
        "r4.16xlarge": "64C-488GB",
        "m5.24xlarge": "96C-384GB",
        "m7i.48xlarge": "192C-768GB",
        "c5.9xlarge": "36C-72GB",
        "c5.18xlarge": "72C-144GB",
        "c5n.large": "2C-5.25GB",
        "c5n.9xlarge": "36C-96GB",
        "c5n.18xlarge": "72C-192GB",
        "c6i.32xlarge": "128C-256GB",
        "c7i.48xlarge": "192C-384GB",
        "r5.12xlarge": "48C-384GB",
        "r6i.32xlarge": "128C-1024GB",
        "r7i.48xlarge": "192C-1536GB",
        "hpc6a.48xlarge": "96C-384GB",
        "hpc6id.32xlarge": "64C-1024GB",
        "hpc7a.12xlarge": "24C-768GB",
        "hpc7a.96xlarge": "192C-768GB",
      };
      for (const [type, shape] of Object.entries(documented)) {
        expect(shapeOf(type), type).to.equal(`${type}-${shape}`);
      }
    });

    it("lists each type once, all x86_64 and able to join a cluster placement group", () => {
      const types = labels.map((label) => label.split("-")[0] ?? "");
      expect(new Set(types).size).to.equal(types.length);
      for (const type of types) {
        // Burstable t*, Graviton (a family letter g after the generation) and
        // the families EC2 keeps out of cluster placement groups.
        expect(type, type).not.to.match(/^(t\d|a1|c3|r3|i2|g2|mac)|^[a-z]+\d+g[a-z]*\./);
      }
    });

    it("resolves every preset through resolveInstanceType to its mapping's InstanceType", () => {
      const cfn = decoded();
      for (const [preset, entry] of Object.entries(INSTANCE_PRESETS)) {
        expect(resolveInstanceType(cfn, preset, undefined)).to.equal(entry.InstanceType);
        // Burstable types cannot be in a cluster placement group.
        expect(entry.PlacementGroup).to.equal(
          entry.InstanceType.startsWith("t") ? "false" : "true",
        );
      }
      expect(resolveInstanceType(cfn, OTHER_CHOICE, "r4.large-2C-15.25GB")).to.equal("r4.large");
      expect(resolveInstanceType(cfn, OTHER_CHOICE, undefined)).to.equal(undefined);
    });

    it("uses a placement group unless the compute preset is burstable", () => {
      const use = (choice: string) =>
        evaluateCondition(template, "UsePlacementGroup", { ComputeInstanceType: choice });
      expect(use("small")).to.equal(false);
      expect(use("medium")).to.equal(true);
      expect(use("hpc")).to.equal(true);
      expect(use(OTHER_CHOICE)).to.equal(true);
    });
  });

  it("uses spot exactly when the price is not zero", () => {
    const spot = (price: string) =>
      evaluateCondition(template, "UseSpot", { ComputeSpotPrice: price });
    for (const zero of ["0", "0.0", "0.00", "0.000", "0.0000", "0.00000"])
      expect(spot(zero), zero).to.equal(false);
    for (const price of ["0.03", "0.0011", "1000"]) expect(spot(price), price).to.equal(true);
    const options = (
      (resources["ComputeLaunchTemplate"] as JsonObject)["Properties"] as JsonObject
    )["LaunchTemplateData"] as JsonObject;
    expect(options["InstanceMarketOptions"]).to.deep.include({
      "Fn::If": [
        "UseSpot",
        {
          MarketType: "spot",
          SpotOptions: {
            SpotInstanceType: "one-time",
            InstanceInterruptionBehavior: "terminate",
            MaxPrice: { Ref: "ComputeSpotPrice" },
          },
        },
        { Ref: "AWS::NoValue" },
      ],
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
      expect(outputs["LoginIp"]).to.deep.include({
        Value: { "Fn::GetAtt": [MASTER_RESOURCE, "PublicIp"] },
      });
      expect(outputs["LoginUser"]).to.deep.include({ Value: { Ref: "AccessUsername" } });
      expect(outputs["ClusterName"]).to.deep.include({ Value: { Ref: "ClusterName" } });
    });
  });

  describe("resources", () => {
    const properties = (name: string) =>
      (resources[name] as JsonObject)["Properties"] as JsonObject;

    it("waits for one signal from the master within 30 minutes", () => {
      expect((resources[MASTER_RESOURCE] as JsonObject)["CreationPolicy"]).to.deep.equal({
        ResourceSignal: { Count: 1, Timeout: "PT30M" },
      });
    });

    it("requires IMDSv2 on the master and the compute nodes", () => {
      const imdsv2 = {
        HttpTokens: "required",
        HttpEndpoint: "enabled",
        HttpPutResponseHopLimit: 1,
      };
      const master = properties(MASTER_RESOURCE)["LaunchTemplate"] as JsonObject;
      const masterTemplate = String((master["LaunchTemplateId"] as JsonObject)["Ref"]);
      for (const name of [masterTemplate, "ComputeLaunchTemplate"]) {
        expect(
          (properties(name)["LaunchTemplateData"] as JsonObject)["MetadataOptions"],
          name,
        ).to.deep.equal(imdsv2);
      }
    });

    it("sizes the compute group from the parameters, under its fixed name", () => {
      expect(properties("ComputeGroup")).to.deep.include({
        AutoScalingGroupName: { "Fn::Sub": COMPUTE_GROUP_NAME },
        MinSize: "0",
        MaxSize: { Ref: "ComputeMaxNodes" },
        DesiredCapacity: { Ref: "ComputeInitialNodes" },
      });
    });

    it("opens SSH only from AccessNetwork, on the login group only", () => {
      expect(properties("LoginSecurityGroup")["SecurityGroupIngress"]).to.deep.equal([
        {
          IpProtocol: "tcp",
          FromPort: 22,
          ToPort: 22,
          CidrIp: { Ref: "AccessNetwork" },
          Description: "SSH",
        },
      ]);
      expect(properties("ClusterSecurityGroup")["SecurityGroupIngress"]).to.equal(undefined);
      expect(properties("ClusterSecurityGroupSelfIngress")).to.deep.include({
        GroupId: { Ref: "ClusterSecurityGroup" },
        SourceSecurityGroupId: { Ref: "ClusterSecurityGroup" },
      });
    });

    it("keeps IAM unnamed and least-privilege: no wildcard actions, * only for Describe", () => {
      const statements: JsonObject[] = [];
      for (const [name, resource] of Object.entries(resources)) {
        if (!isObject(resource) || !String(resource["Type"]).startsWith("AWS::IAM::")) continue;
        for (const key of ["RoleName", "InstanceProfileName", "ManagedPolicyName"]) {
          expect(properties(name), name).not.to.have.property(key);
        }
        walk(resource, (node) => {
          if (node["Effect"] !== undefined && node["Action"] !== "sts:AssumeRole")
            statements.push(node);
        });
      }
      expect(statements.length).to.be.greaterThan(5);
      for (const statement of statements) {
        const actions = [statement["Action"] as Json].flat().map(String);
        for (const action of actions) expect(action).to.match(/^[a-z0-9]+:[A-Za-z]+$/);
        if (statement["Resource"] === "*") {
          for (const action of actions) expect(action).to.match(/:Describe/);
        }
      }
    });

    it("fits what the deployment's CloudFormation service role may create", () => {
      expect(NODE_IAM_PATH).to.equal(SERVICE_ROLE_IAM_PATH);
      expect(templateProblems(decoded())).to.deep.equal([]);
    });

    it("lets nodes read only the default and the owner's customizer folders", () => {
      const s3: Json[] = [];
      walk(resources, (node) => {
        const action = node["Action"];
        if (typeof action === "string" && action.startsWith("s3:")) s3.push(node);
      });
      const expected = ["${CustomizerPrefix}/default/*", "${CustomizerPrefix}/${AccessUsername}/*"];
      expect(s3).to.have.length(4);
      for (const statement of s3 as JsonObject[]) {
        if (statement["Action"] === "s3:GetObject") {
          expect(statement["Resource"]).to.deep.equal(
            expected.map((p) => ({
              "Fn::Sub": `arn:\${AWS::Partition}:s3:::\${CustomizerBucket}/${p}`,
            })),
          );
        } else {
          expect(statement["Condition"]).to.deep.equal({
            StringLike: { "s3:prefix": expected.map((p) => ({ "Fn::Sub": p })) },
          });
        }
      }
    });
  });
});
