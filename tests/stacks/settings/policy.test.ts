import { expect } from "chai";
import { decodePolicy } from "../../../functions/shared/deployment-policy.js";
import { namesFor } from "../../../stacks/settings/names.js";
import { policyFromSettings } from "../../../stacks/settings/policy.js";
import { loadSettings } from "../../../stacks/settings/settings.js";
import { fixtureSettings } from "../support/synth.js";

describe("policyFromSettings", () => {
  const policy = policyFromSettings(fixtureSettings());

  it("builds a policy the Lambdas' own decoder accepts", () => {
    expect(decodePolicy(JSON.parse(JSON.stringify(policy)))).to.deep.equal({
      _tag: "Right",
      right: policy,
    });
  });

  it("makes accessNetwork the AccessNetwork default, beside the admin's defaults", () => {
    expect(policy.defaults).to.deep.equal({
      ComputeMaxNodes: "2",
      AccessNetwork: "198.51.100.0/24",
    });
  });

  it("carries the admin's limits and each user's login, UID, email and overrides", () => {
    // The fixture sets maxClusters; the bounded defaults fill in the rest.
    expect(policy.limits).to.deep.equal({
      maxClusters: "3",
      maxComputeNodes: "16",
      maxVcpus: "64",
      maxMasterVolumeSize: "100",
    });
    expect(policy.users).to.deep.equal({
      alice: { login: "alice", uid: "457479", email: "alice@hpc.test" },
      bob: { login: "bob", uid: "464244", limits: { maxComputeNodes: "8" } },
    });
  });

  it("points at the customizer location and carries the stack prefix and tags", () => {
    expect(policy.customizer).to.deep.equal({
      bucket: "fdtest-customizer-123456789012-eu-west-2",
      prefix: "customizer",
    });
    expect(policy.stackPrefix).to.equal("fd");
    expect(policy.tags).to.deep.equal({ Project: "flightdeck-tests" });
  });

  it("uses an existing customizer bucket when the settings name one", () => {
    const settings = fixtureSettings();
    const existing = {
      ...settings,
      customizer: { ...settings.customizer, existingBucket: "alces-flight-abcdef" },
    };
    expect(policyFromSettings(existing).customizer.bucket).to.equal("alces-flight-abcdef");
  });
});

describe("namesFor", () => {
  it("derives every name from the deployment name, region and account", () => {
    expect(namesFor(fixtureSettings())).to.deep.equal({
      userBucket: "fdtest-users-123456789012-eu-west-2",
      customizerBucket: "fdtest-customizer-123456789012-eu-west-2",
      userGroup: "fdtest-users",
      userPolicy: "fdtest-user-access",
      createFunction: "fdtest-cf-create",
      deleteFunction: "fdtest-cf-delete",
      serviceRole: "fdtest-cloudformation",
      deadLetterQueue: "fdtest-handler-failures",
      createUploads: "fdtest-create-uploads",
      deleteUploads: "fdtest-delete-uploads",
      createdRule: "fdtest-stack-create-outcome",
      deletedRule: "fdtest-stack-delete-outcome",
      registryTable: "fdtest-clusters",
      sweepSchedule: "fdtest-lifetime-sweep",
      alarmTopic: "fdtest-alarms",
      deadLetterAlarm: "fdtest-handler-failures-waiting",
      nodeBoundary: "fdtest-node-boundary",
    });
  });

  it("keeps bucket names within S3's 63 characters for the longest name and region", () => {
    const names = namesFor({
      ...loadSettings("settings/example.json"),
      name: "a".repeat(20),
      region: "ap-southeast-5",
      accountId: "123456789012",
    });
    expect(names.userBucket.length).to.be.at.most(63);
    expect(names.customizerBucket.length).to.be.at.most(63);
  });

  it("lets the admin name the user bucket when the derived name is taken", () => {
    expect(namesFor({ ...fixtureSettings(), userBucketName: "my-users" }).userBucket).to.equal(
      "my-users",
    );
  });
});
