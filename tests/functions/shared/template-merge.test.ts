import { readFileSync } from "node:fs";
import { expect } from "chai";
import fc from "fast-check";
import { decodeConfig } from "../../../functions/shared/cluster-config.js";
import { decodeTemplate, type CfnTemplate } from "../../../functions/shared/cfn-template.js";
import type { ClusterName, UserId } from "../../../functions/shared/identifiers.js";
import { computeInstanceTypes } from "../../../functions/shared/compute-types.js";
import { derivedLogin } from "../../../functions/shared/login-name.js";
import { resolveInstanceType } from "../../../functions/shared/instance-table.js";
import { mergeTemplate } from "../../../functions/shared/template-merge.js";
import { leftOf, rightOf } from "../../support/either.js";
import { fixtureBytes, fixtureJson } from "../../support/fixtures.js";
import { parseClusterConfig } from "../../../functions/shared/cluster-config.js";
import { basePolicy } from "../../support/policies.js";
import { clusterNames, userIds } from "../../support/arbitraries.js";

const seedTemplate = rightOf(decodeTemplate(fixtureJson("templates/seed-like.json")));
const seedConfig = rightOf(parseClusterConfig(fixtureBytes("configs/seed-example.json")));
const alice = "alice" as UserId;
const c1 = "c1" as ClusterName;

/** Merges a raw config, decoded first as the handler would. */
const merge = (
  raw: Record<string, unknown>,
  overrides: Partial<Parameters<typeof mergeTemplate>[0]> = {},
) =>
  mergeTemplate({
    template: seedTemplate,
    policy: basePolicy(),
    user: alice,
    cluster: c1,
    config: rightOf(decodeConfig(raw)),
    requestId: "v1",
    ...overrides,
  });

const params = (plan: {
  parameters: ReadonlyArray<{ ParameterKey: string; ParameterValue: string }>;
}) => Object.fromEntries(plan.parameters.map((p) => [p.ParameterKey, p.ParameterValue]));

describe("template merge", () => {
  it("maps the seed's example onto the seed's parameters, with the identity set to the user", () => {
    const plan = rightOf(merge(seedConfig));
    expect(params(plan)).to.deep.equal({
      AccessUsername: "alice",
      AutoscalingPolicy: "enabled",
      ComputeInitialNodes: "0",
      ComputeInstanceType: "other",
      ComputeInstanceTypeOther: "r4.large-2C-15.25GB",
      ComputeMaxNodes: "25",
      ComputeSpotPrice: "0.03",
      FlightProfiles: "alice",
      MasterInstanceType: "other",
      MasterInstanceTypeOther: "r4.large-2C-15.25GB",
      MasterSystemVolumeSize: "16",
    });
    expect(plan.stackName).to.equal("fd-alice-c1");
    expect(plan.capabilities).to.deep.equal([]);
    expect(plan.template.kind).to.equal("body");
  });

  it("sets AccessUsername to the user's login and FlightProfiles to their id (their customizer folder)", () => {
    const user = "Alice.Smith" as UserId;
    const derived = rightOf(merge({}, { user }));
    expect(params(derived)).to.deep.equal({
      AccessUsername: "alice_smith",
      FlightProfiles: "Alice.Smith",
    });
    expect(derived.stackName).to.equal("fd-Alice0dSmith-c1");
    expect(derived.tags.find((t) => t.Key === "USER")?.Value).to.equal("Alice.Smith");
    const policy = basePolicy({ users: { "Alice.Smith": { login: "asmith" } } });
    expect(params(rightOf(merge({}, { user, policy })))["AccessUsername"]).to.equal("asmith");
  });

  it("refuses a user whose login would be a system account", () => {
    expect(leftOf(merge({}, { user: "Root" as UserId }))).to.deep.equal([
      'Your cluster login "root" is a system account on every node; ask your administrator to set your login.',
    ]);
  });

  it("tags the stack with the exact user, the cluster, ManagedBy and the deployment, after deployment tags", () => {
    const plan = rightOf(
      merge({}, { policy: basePolicy({ tags: { CostCentre: "hpc", Project: "x" } }) }),
    );
    expect(plan.tags).to.deep.equal([
      { Key: "CostCentre", Value: "hpc" },
      { Key: "Project", Value: "x" },
      { Key: "USER", Value: "alice" },
      { Key: "CLUSTER", Value: "c1" },
      { Key: "ManagedBy", Value: "flightdeck" },
      { Key: "FlightDeckDeployment", Value: "fdtest" },
    ]);
  });

  it("applies precedence: template default < deployment default < user default < config < system", () => {
    const policy = basePolicy({
      defaults: { ComputeMaxNodes: "10", ComputeInitialNodes: "2", AutoscalingPolicy: "disabled" },
      users: { alice: { defaults: { ComputeMaxNodes: "12" } } },
    });
    const plan = rightOf(merge({ ComputeInitialNodes: "3" }, { policy }));
    expect(params(plan)).to.deep.equal({
      AccessUsername: "alice",
      AutoscalingPolicy: "disabled",
      ComputeInitialNodes: "3",
      ComputeMaxNodes: "12",
      FlightProfiles: "alice",
    });
  });

  it("sends only parameters the template declares", () => {
    const policy = basePolicy({ defaults: { NotInTemplate: "x", AccessNetwork: "10.0.0.0/8" } });
    expect(params(rightOf(merge({}, { policy })))).to.deep.equal({
      AccessUsername: "alice",
      FlightProfiles: "alice",
    });
  });

  it("sets the customizer location and cluster name when the template declares them", () => {
    const template: CfnTemplate = {
      ...seedTemplate,
      Parameters: {
        CustomizerBucket: { Type: "String" },
        CustomizerPrefix: { Type: "String" },
        ClusterName: { Type: "String" },
      },
    };
    expect(params(rightOf(merge({}, { template })))).to.deep.equal({
      ClusterName: "c1",
      CustomizerBucket: "flightdeck-customizer",
      CustomizerPrefix: "customizer",
    });
  });

  it("sets the results location from the user's id, not their login, when the template declares it", () => {
    const template: CfnTemplate = {
      ...seedTemplate,
      Parameters: {
        AccessUsername: { Type: "String" },
        FlightDeckBucket: { Type: "String" },
        UserHomePrefix: { Type: "String" },
      },
    };
    expect(params(rightOf(merge({}, { template, user: "Alice.Smith" as UserId })))).to.deep.equal({
      AccessUsername: "alice_smith",
      FlightDeckBucket: "flightdeck-users",
      UserHomePrefix: "home/Alice.Smith",
    });
  });

  it("points the cluster at the deployment's network and the owner's own home and UID", () => {
    const ssm = (type: string) => ({ Type: `AWS::SSM::Parameter::Value<${type}>` });
    const template: CfnTemplate = {
      ...seedTemplate,
      Parameters: {
        VpcId: ssm("AWS::EC2::VPC::Id"),
        SubnetIds: ssm("List<AWS::EC2::Subnet::Id>"),
        HomeFileSystem: ssm("String"),
        HomeSecurityGroup: ssm("AWS::EC2::SecurityGroup::Id"),
        AccessUid: { Type: "Number" },
      },
    };
    const policy = basePolicy({ users: { bob: { login: "bob", uid: "5000" } } });
    expect(params(rightOf(merge({}, { template, policy, user: "bob" as UserId })))).to.deep.equal({
      AccessUid: "5000",
      HomeFileSystem: "/flightdeck/fdtest/homes/bob/file-system-id",
      HomeSecurityGroup: "/flightdeck/fdtest/homes/bob/client-security-group-id",
      SubnetIds: "/flightdeck/fdtest/network/subnet-ids",
      VpcId: "/flightdeck/fdtest/network/vpc-id",
    });
    // A user the policy records no UID for gets the one the settings would have derived.
    expect(params(rightOf(merge({}, { template, policy })))["AccessUid"]).to.equal("457479");
    for (const key of ["VpcId", "SubnetIds", "HomeFileSystem", "HomeSecurityGroup", "AccessUid"]) {
      const refused = leftOf(
        decodeConfig({ [key]: "/flightdeck/fdtest/homes/alice/file-system-id" }),
      );
      expect(refused.join("\n"), key).to.include(key);
    }
  });

  it("tells the user when they set something this template does not have", () => {
    const template: CfnTemplate = {
      ...seedTemplate,
      Parameters: { AccessUsername: { Type: "String" } },
    };
    expect(leftOf(merge({ ComputeMaxNodes: "4" }, { template }))).to.deep.equal([
      "ComputeMaxNodes is not available with this deployment's cluster template; remove it from the config.",
    ]);
  });

  it("checks values against the template's own constraints, using its ConstraintDescription", () => {
    const errors = leftOf(
      merge({ ComputeInstanceTypeOther: "m5.large-2C-8GB", ComputeInstanceType: "large" }),
    );
    expect(errors).to.deep.equal([
      'ComputeInstanceType must be one of the allowed values: compute-small-c5.large, other (got "large").',
      'ComputeInstanceTypeOther: choose one of the listed instance labels (got "m5.large-2C-8GB").',
    ]);
  });

  it("checks a config's initial nodes against the template's default maximum", () => {
    expect(leftOf(merge({ ComputeInitialNodes: "9" }))).to.deep.equal([
      "ComputeInitialNodes (9) must not be larger than ComputeMaxNodes (8).",
    ]);
  });

  it("enforces admin limits, with per-user overrides", () => {
    const policy = basePolicy({
      limits: {
        maxComputeNodes: 20,
        maxInitialNodes: 0,
        maxSpotPrice: "0.02",
        maxMasterVolumeSize: 100,
      },
      users: { bob: { limits: { maxComputeNodes: 50, maxSpotPrice: "0.05" } } },
    });
    expect(leftOf(merge(seedConfig, { policy }))).to.deep.equal([
      "ComputeMaxNodes is 25, above your limit of 20; ask your administrator to raise it.",
      "ComputeSpotPrice is 0.03 USD/hour, above your limit of 0.02 USD/hour; ask your administrator to raise it.",
    ]);
    expect(
      leftOf(
        merge(
          { MasterSystemVolumeSize: "200", ComputeInitialNodes: "1", ComputeSpotPrice: "0.01" },
          { policy },
        ),
      ),
    ).to.deep.equal([
      "ComputeInitialNodes is 1, above your limit of 0; ask your administrator to raise it.",
      "MasterSystemVolumeSize is 200 GiB, above your limit of 100 GiB; ask your administrator to raise it.",
    ]);
    rightOf(merge(seedConfig, { policy, user: "bob" as UserId }));
  });

  it("limits instance types by pattern, resolving 'other' labels and presets", () => {
    const policy = basePolicy({ limits: { allowedInstanceTypes: ["c5.*", "t3.medium"] } });
    expect(leftOf(merge(seedConfig, { policy }))).to.deep.equal([
      "ComputeInstanceTypeOther selects r4.large, which is not among your allowed instance types (c5.*, t3.medium).",
      "MasterInstanceTypeOther selects r4.large, which is not among your allowed instance types (c5.*, t3.medium).",
    ]);
    rightOf(
      merge(
        {
          ComputeInstanceType: "compute-small-c5.large",
          MasterInstanceType: "master-small-t3.medium",
        },
        { policy },
      ),
    );
  });

  it("resolves presets through a template mapping with an InstanceType entry", () => {
    const template: CfnTemplate = {
      ...seedTemplate,
      Mappings: { Presets: { small: { InstanceType: "c7i.large" } } },
    };
    expect(resolveInstanceType(template, "small", undefined)).to.equal("c7i.large");
    expect(resolveInstanceType(template, "other", "r4.large-2C-15.25GB")).to.equal("r4.large");
    expect(resolveInstanceType(template, "m7i.xlarge", undefined)).to.equal("m7i.xlarge");
    expect(resolveInstanceType(template, "m7i-flex.large", undefined)).to.equal("m7i-flex.large");
    expect(resolveInstanceType(template, "compute-small-c5.large", undefined)).to.equal("c5.large");
    expect(resolveInstanceType(template, "c7i.metal-24xl-96C-192GB", undefined)).to.equal(
      "c7i.metal-24xl",
    );
    expect(resolveInstanceType(template, "large", undefined)).to.equal(undefined);
    expect(resolveInstanceType(template, "constructor", undefined)).to.equal(undefined);
    expect(resolveInstanceType(template, "other", undefined)).to.equal(undefined);
  });

  it("reports a template parameter nobody sets and that has no default", () => {
    const template: CfnTemplate = { ...seedTemplate, Parameters: { KeyName: { Type: "String" } } };
    expect(leftOf(merge({}, { template }))).to.deep.equal([
      "KeyName has no default in the cluster template and must be set by the deployment or the config.",
    ]);
  });

  it("marks errors in the deployment's own defaults as such", () => {
    const policy = basePolicy({ defaults: { ComputeMaxNodes: "5000" } });
    expect(leftOf(merge({}, { policy }))).to.deep.equal([
      'Deployment default: ComputeMaxNodes must be at most 1000 (got "5000").',
    ]);
  });

  it("says a TemplateURL is needed when the body is over 51,200 bytes", () => {
    const big: CfnTemplate = {
      ...seedTemplate,
      Metadata: { padding: "x".repeat(60_000) },
    } as CfnTemplate;
    const plan = rightOf(merge({}, { template: big }));
    expect(plan.template.kind).to.equal("url-required");
    expect(plan.template.bytes).to.be.greaterThan(51_200);
  });

  it("asks for the IAM capabilities the template needs", () => {
    const withRole = (Properties: Record<string, unknown>): CfnTemplate => ({
      ...seedTemplate,
      Resources: { ...seedTemplate.Resources, Role: { Type: "AWS::IAM::Role", Properties } },
    });
    expect(rightOf(merge({}, { template: withRole({}) })).capabilities).to.deep.equal([
      "CAPABILITY_IAM",
    ]);
    expect(
      rightOf(merge({}, { template: withRole({ RoleName: "x" }) })).capabilities,
    ).to.deep.equal(["CAPABILITY_NAMED_IAM"]);
  });

  it("gives a deterministic request token per request", () => {
    const a = rightOf(merge(seedConfig)).clientRequestToken;
    expect(rightOf(merge(seedConfig)).clientRequestToken).to.equal(a);
    expect(rightOf(merge(seedConfig, { requestId: "v2" })).clientRequestToken).not.to.equal(a);
  });

  it("never mutates its inputs", () => {
    const template = structuredClone(seedTemplate);
    const policy = basePolicy({ defaults: { ComputeMaxNodes: "10" }, tags: { A: "b" } });
    const config = { ...seedConfig };
    const snapshot = JSON.stringify([template, policy, config]);
    Object.freeze(template);
    merge(config, { template, policy });
    expect(JSON.stringify([template, policy, config])).to.equal(snapshot);
  });

  it("never lets user input change a system-forced parameter", () => {
    const template: CfnTemplate = {
      ...seedTemplate,
      Parameters: {
        ...seedTemplate.Parameters,
        ClusterName: { Type: "String" },
        CustomizerBucket: { Type: "String" },
        CustomizerPrefix: { Type: "String" },
      },
    };
    const anyJson = fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          "AccessUsername",
          "FlightProfiles",
          "ClusterName",
          "CustomizerBucket",
          "__proto__",
          "constructor",
        ),
        fc.string(),
      ),
      fc.oneof(fc.string(), fc.integer(), fc.boolean()),
    );
    fc.assert(
      fc.property(userIds, clusterNames, anyJson, (user, cluster, input) => {
        const decoded = decodeConfig(JSON.parse(JSON.stringify(input)));
        if (decoded._tag === "Left") return;
        const result = merge(decoded.right, { template, user, cluster });
        expect(decoded.right).not.to.have.any.keys(
          "AccessUsername",
          "FlightProfiles",
          "ClusterName",
          "CustomizerBucket",
        );
        if (result._tag === "Left") return;
        const sent = params(result.right);
        expect(sent["AccessUsername"]).to.equal(derivedLogin(user));
        expect(sent["FlightProfiles"]).to.equal(user);
        expect(sent["ClusterName"]).to.equal(cluster);
        expect(sent["CustomizerBucket"]).to.equal("flightdeck-customizer");
        expect(result.right.tags.find((t) => t.Key === "USER")?.Value).to.equal(user);
      }),
      { numRuns: 1000 },
    );
    expect(({} as Record<string, unknown>)["polluted"]).to.equal(undefined);
  });
});

describe("template merge: the compute group's types and spot fallback (default template)", () => {
  const clusterTemplate = rightOf(
    decodeTemplate(
      JSON.parse(
        readFileSync(new URL("../../../template/cluster.json", import.meta.url), "utf8"),
      ) as unknown,
    ),
  );
  const mergeDefault = (
    raw: Record<string, unknown>,
    overrides: Partial<Parameters<typeof mergeTemplate>[0]> = {},
  ) => merge(raw, { template: clusterTemplate, ...overrides });
  const other = (label: string) => ({
    ComputeInstanceType: "other",
    ComputeInstanceTypeOther: label,
  });

  it("fills ComputeInstanceTypes with the chosen type and alternatives of its shape, as labels", () => {
    const plan = rightOf(mergeDefault({ ...other("c7i.large-2C-4GB") }));
    expect(params(plan)["ComputeInstanceTypes"]).to.equal(
      "c7i.large-2C-4GB,c6i.large-2C-4GB,c5.large-2C-4GB,c5n.large-2C-5.25GB",
    );
    expect(computeInstanceTypes(params(plan), clusterTemplate)).to.deep.equal([
      "c7i.large",
      "c6i.large",
      "c5.large",
      "c5n.large",
    ]);
  });

  it("narrows the alternatives to the types the admin allows", () => {
    const policy = basePolicy({
      limits: { allowedInstanceTypes: ["c7i.*", "m7i.*", "r4.*", "t3.*"] },
    });
    const plan = rightOf(mergeDefault({ ...other("c7i.large-2C-4GB") }, { policy }));
    expect(params(plan)["ComputeInstanceTypes"]).to.equal(
      "c7i.large-2C-4GB,m7i.large-2C-8GB,r4.large-2C-15.25GB",
    );
  });

  it("takes the user's own list, normalised to labels, and refuses one the admin does not allow", () => {
    const plan = rightOf(
      mergeDefault({
        ...other("c7i.large-2C-4GB"),
        ComputeInstanceTypes: ["c7i.large", "m7i.large"],
      }),
    );
    expect(params(plan)["ComputeInstanceTypes"]).to.equal("c7i.large-2C-4GB,m7i.large-2C-8GB");
    const policy = basePolicy({ limits: { allowedInstanceTypes: ["c7i.*", "t3.*"] } });
    expect(
      leftOf(
        mergeDefault(
          { ...other("c7i.large-2C-4GB"), ComputeInstanceTypes: "c7i.large,m7i.large" },
          { policy },
        ),
      ),
    ).to.deep.equal([
      "ComputeInstanceTypes selects m7i.large, which is not among your allowed instance types (c7i.*, t3.*).",
    ]);
  });

  it("refuses a list of two shapes, or one without the type the user chose", () => {
    expect(leftOf(mergeDefault({ ComputeInstanceTypes: "c7i.large,c7i.xlarge" }))[0]).to.match(
      /every compute type must have the same cores and vCPUs/,
    );
    expect(
      leftOf(mergeDefault({ ...other("c7i.large-2C-4GB"), ComputeInstanceTypes: "m7i.large" })),
    ).to.deep.equal([
      "ComputeInstanceType selects c7i.large, which ComputeInstanceTypes does not list; add it to the list, or leave ComputeInstanceType out.",
    ]);
  });

  it("counts each compute node as the largest type of its group in the vCPU limit", () => {
    const policy = basePolicy({ limits: { maxVcpus: 20 } });
    // master small (t3.medium, 2) + 8 × 2 = 18: within 20.
    rightOf(mergeDefault({ ComputeInstanceTypes: "c7i.large,m7i.large" }, { policy }));
    expect(
      leftOf(mergeDefault({ ...other("c7i.xlarge-4C-8GB"), ComputeMaxNodes: "5" }, { policy })),
    ).to.deep.equal([
      "This cluster may use up to 22 vCPUs (master 2 + ComputeMaxNodes 5 × 4), above your limit of 20 vCPUs across all your clusters; lower ComputeMaxNodes or choose a smaller instance type.",
    ]);
    expect(rightOf(mergeDefault({ ComputeInstanceTypes: "c7i.large,m7i.large" })).vcpus).to.equal(
      18,
    );
  });

  it("tells the template whether the limits allow an on-demand fallback", () => {
    const allowed = (limits: Record<string, unknown>) =>
      params(
        rightOf(mergeDefault({ ComputeSpotPrice: "0.05" }, { policy: basePolicy({ limits }) })),
      )["ComputeOnDemandAllowed"];
    expect(allowed({})).to.equal("true");
    expect(allowed({ maxSpotPrice: "0.10" })).to.equal("false");
    expect(allowed({ maxSpotPrice: "0.10", allowOnDemand: true })).to.equal("true");
    expect(leftOf(decodeConfig({ ComputeOnDemandAllowed: "true" }))).to.deep.equal([
      "ComputeOnDemandAllowed is set by FlightDeck itself and cannot be changed in a cluster config.",
    ]);
  });

  it("holds SpotFallbackMinutes to the admin's minimum, raising the template's default to it", () => {
    const policy = basePolicy({ limits: { minSpotFallbackMinutes: 30 } });
    expect(params(rightOf(mergeDefault({}, { policy })))["SpotFallbackMinutes"]).to.equal("30");
    expect(
      params(rightOf(mergeDefault({ SpotFallbackMinutes: 0 }, { policy })))["SpotFallbackMinutes"],
    ).to.equal("0");
    expect(leftOf(mergeDefault({ SpotFallbackMinutes: 5 }, { policy }))).to.deep.equal([
      "SpotFallbackMinutes is 5 minutes, below your limit of 30: spot must fail that long before your nodes launch on-demand; set at least 30, or 0 for spot only.",
    ]);
    expect(params(rightOf(mergeDefault({})))["SpotFallbackMinutes"]).to.equal(undefined);
  });
});
