import {
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
} from "@aws-sdk/client-cloudformation";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { handleCreateRequest } from "../../../functions/cf-create/create-request.js";
import { parseFailureBody } from "../../../functions/shared/result-files.js";
import {
  body,
  givenRolledBackCreate,
  harness,
  s3Record,
  SERVICE_ROLE,
  stack,
  stackIdOf,
  type Harness,
  holdSlotFor,
} from "../../support/handler-harness.js";
import { fixturePath } from "../../support/fixtures.js";
import { basePolicy } from "../../support/policies.js";

const seedExample = readFileSync(fixturePath("configs/seed-example.json"), "utf8");
const missingStack = Object.assign(new Error("Stack with id fd-alice-c1 does not exist"), {
  name: "ValidationError",
});

describe("cf-create: a .cf-create upload", () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
    h.cfn.on(DescribeStacksCommand).rejects(missingStack);
    h.cfn.on(CreateStackCommand).resolves({ StackId: stackIdOf("fd-alice-c1") });
  });
  afterEach(() => h.restore());

  const upload = (text: string, key = "home/alice/c1.cf-create") => {
    h.s3
      .on(GetObjectCommand, { Key: key })
      .resolves({ Body: body(text), ContentLength: Buffer.byteLength(text) });
  };
  const failure = () => parseFailureBody(h.written()["home/alice/c1.cf-failed"] ?? "")?.reasons;

  it("creates the seed example's stack through the service role and writes nothing yet", async () => {
    upload(seedExample);
    await handleCreateRequest(
      h.createDeps,
      s3Record("home/alice/c1.cf-create", { versionId: "v1" }),
    );
    const [call] = h.cfn.commandCalls(CreateStackCommand);
    const input = call?.args[0].input;
    expect(input?.StackName).to.equal("fd-alice-c1");
    expect(input?.RoleARN).to.equal(SERVICE_ROLE);
    expect(input?.TemplateURL).to.equal(
      "https://flightdeck-customizer.s3.eu-west-2.amazonaws.com/flightdeck/templates/cluster-abc.json",
    );
    expect(input?.OnFailure).to.equal("ROLLBACK");
    expect(input?.ClientRequestToken).to.match(/^fd-create-[0-9a-f]{48}$/);
    expect(
      Object.fromEntries((input?.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue])),
    ).to.include({
      AccessUsername: "alice",
      FlightProfiles: "alice",
      ComputeMaxNodes: "25",
      ComputeSpotPrice: "0.03",
    });
    expect(input?.Tags).to.deep.include({ Key: "USER", Value: "alice" });
    expect(h.s3.commandCalls(GetObjectCommand)[0]?.args[0].input.VersionId).to.equal("v1");
    expect(h.written()).to.deep.equal({});
    expect(h.recorder.messages()).to.include("stack creation started");
  });

  it("refuses an unprovisioned user and creates nothing", async () => {
    upload(seedExample, "home/bob/c1.cf-create");
    await handleCreateRequest(h.createDeps, s3Record("home/bob/c1.cf-create"));
    expect(h.cfn.commandCalls(CreateStackCommand)).to.have.length(0);
    const written = parseFailureBody(h.written()["home/bob/c1.cf-failed"] ?? "");
    expect(written?.reasons[0]).to.match(/^User bob is not provisioned for FlightDeck/);
    expect(h.deleted()).to.deep.equal(["home/bob/c1.cf-create"]);
    expect(h.s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input).to.include({
      Bucket: "flightdeck-customizer",
      Prefix: "customizer/bob/configure.d/user.sh",
    });
  });

  it("refuses a config that sets AccessUsername, listing every error", async () => {
    upload('{"AccessUsername": "bob", "ComputeMaxNodes": "-3"}');
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    expect(h.cfn.commandCalls(CreateStackCommand)).to.have.length(0);
    expect(failure()).to.deep.equal([
      "AccessUsername is set by FlightDeck itself and cannot be changed in a cluster config.",
      'ComputeMaxNodes must be a whole number from 1 to 1000 (got "-3").',
    ]);
  });

  it("refuses a config over the user's limits", async () => {
    h.restore();
    h = harness({ policy: basePolicy({ limits: { maxComputeNodes: 10 } }) });
    h.cfn.on(DescribeStacksCommand).rejects(missingStack);
    upload(seedExample);
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    expect(h.cfn.commandCalls(CreateStackCommand)).to.have.length(0);
    expect(failure()).to.deep.equal([
      "ComputeMaxNodes is 25, above your limit of 10; ask your administrator to raise it.",
    ]);
  });

  it("counts the user's clusters in the registry, not from their files, naming the holders", async () => {
    h.restore();
    h = harness({ policy: basePolicy({ limits: { maxClusters: 2 } }) });
    h.cfn.on(DescribeStacksCommand).rejects(missingStack);
    const now = Date.now();
    for (const cluster of ["a", "b"])
      h.registry.slots.set(
        "alice",
        new Map([
          ...(h.registry.slots.get("alice") ?? []),
          [cluster, { acquiredAt: now, vcpus: 0, token: `t-${cluster}` }],
        ]),
      );
    upload("{}");
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    expect(h.cfn.commandCalls(CreateStackCommand)).to.have.length(0);
    expect(failure()).to.deep.equal([
      "You already have 2 clusters (a, b) and your limit is 2 clusters; delete one first (upload its .cf-delete), then upload c1.cf-create again.",
    ]);
  });

  it("frees a slot whose stack is gone once it is past the grace period, then creates", async () => {
    h.restore();
    h = harness({ policy: basePolicy({ limits: { maxClusters: 1 } }) });
    h.cfn.on(DescribeStacksCommand).rejects(missingStack);
    h.cfn.on(CreateStackCommand).resolves({ StackId: stackIdOf("fd-alice-c1") });
    h.registry.slots.set(
      "alice",
      new Map([["old", { acquiredAt: Date.now() - 3_600_000, vcpus: 0, token: "t-old" }]]),
    );
    upload("{}");
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    expect(h.cfn.commandCalls(CreateStackCommand)).to.have.length(1);
    expect([...(h.registry.slots.get("alice")?.keys() ?? [])]).to.deep.equal(["c1"]);
    expect(h.recorder.messages()).to.include("freed a slot whose stack is gone");
  });

  it("never frees a young slot, whose create may be in flight", async () => {
    h.restore();
    h = harness({ policy: basePolicy({ limits: { maxClusters: 1 } }) });
    h.cfn.on(DescribeStacksCommand).rejects(missingStack);
    h.registry.slots.set(
      "alice",
      new Map([["new", { acquiredAt: Date.now() - 60_000, vcpus: 0, token: "t-new" }]]),
    );
    upload("{}");
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    expect(h.cfn.commandCalls(CreateStackCommand)).to.have.length(0);
    expect(h.cfn.commandCalls(DescribeStacksCommand)).to.have.length(1);
    expect(failure()?.[0]).to.match(/You already have 1 cluster \(new\)/);
  });

  it("gives the slot back when CloudFormation refuses the stack", async () => {
    h.cfn
      .on(CreateStackCommand)
      .rejects(
        Object.assign(new Error("Parameter ImageId is invalid"), { name: "ValidationError" }),
      );
    upload("{}");
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    expect(failure()).to.deep.equal([
      "CloudFormation refused the cluster: Parameter ImageId is invalid",
    ]);
    expect(h.registry.slots.get("alice")?.size ?? 0).to.equal(0);
  });

  it("refuses a malformed trigger key in the user's own home", async () => {
    await handleCreateRequest(h.createDeps, s3Record("home/alice/bad_name.cf-create"));
    expect(Object.keys(h.written())).to.deep.equal(["home/alice/bad_name.cf-failed"]);
    expect(h.cfn.commandCalls(CreateStackCommand)).to.have.length(0);
  });

  it("writes nothing for keys outside a user's home or in another bucket", async () => {
    await handleCreateRequest(h.createDeps, s3Record("elsewhere/c1.cf-create"));
    await handleCreateRequest(
      h.createDeps,
      s3Record("home/alice/c1.cf-create", { bucket: "someone-else" }),
    );
    expect(h.written()).to.deep.equal({});
    expect(h.recorder.messages()).to.deep.equal([
      "not a trigger in a user's home; ignored",
      "event from another bucket; ignored",
    ]);
  });

  it("reconciles instead of creating when the stack is already complete", async () => {
    holdSlotFor(h.registry, "fd-alice-c1");
    h.cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        stack("fd-alice-c1", "CREATE_COMPLETE", {
          Outputs: [{ OutputKey: "LoginIp", OutputValue: "203.0.113.7" }],
        }),
      ],
    });
    upload(seedExample);
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    expect(h.cfn.commandCalls(CreateStackCommand)).to.have.length(0);
    expect(h.written()).to.deep.equal({ "home/alice/c1.cf-created": "203.0.113.7\n" });
    expect(h.deleted()).to.include("home/alice/c1.cf-create");
    expect(h.recorder.notices).to.have.length(0);
  });

  it("does nothing while the stack is still being created", async () => {
    h.cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [stack("fd-alice-c1", "CREATE_IN_PROGRESS")] });
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    expect(h.cfn.commandCalls(CreateStackCommand)).to.have.length(0);
    expect(h.written()).to.deep.equal({});
  });

  it("reports a failed stack it finds, and cleans it up", async () => {
    givenRolledBackCreate(h, {
      LogicalResourceId: "Master",
      ResourceType: "AWS::EC2::Instance",
      ResourceStatus: "CREATE_FAILED",
      ResourceStatusReason: "Insufficient capacity.",
    });
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    expect(failure()).to.deep.equal(["Master (AWS::EC2::Instance) failed: Insufficient capacity."]);
    expect(h.cfn.commandCalls(DeleteStackCommand)[0]?.args[0].input.ClientRequestToken).to.match(
      /^fd-cleanup-/,
    );
  });

  it("asks the user to wait while a cluster of that name is being deleted", async () => {
    h.cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [stack("fd-alice-c1", "DELETE_IN_PROGRESS")] });
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    expect(failure()?.[0]).to.match(/still being deleted/);
  });

  it("reconciles when a racing delivery created the stack first", async () => {
    h.cfn
      .on(DescribeStacksCommand)
      .rejectsOnce(missingStack)
      .resolves({ Stacks: [stack("fd-alice-c1", "CREATE_IN_PROGRESS")] });
    h.cfn
      .on(CreateStackCommand)
      .rejects(Object.assign(new Error("exists"), { name: "AlreadyExistsException" }));
    upload(seedExample);
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    expect(h.written()).to.deep.equal({});
    expect(h.recorder.messages()).to.include(
      "stack already exists; reconciling instead of creating",
    );
  });

  it("does nothing when the trigger file is already gone", async () => {
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    expect(h.cfn.commandCalls(CreateStackCommand)).to.have.length(0);
    expect(h.written()).to.deep.equal({});
  });

  it("refuses a file over 16 KiB without reading it", async () => {
    h.s3.on(GetObjectCommand).resolves({ Body: body("{}"), ContentLength: 20_000 });
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    expect(failure()).to.deep.equal([
      "The config file is 20000 bytes; the limit is 16384 bytes (16 KiB).",
    ]);
  });

  it("passes CloudFormation's own refusal on to the user", async () => {
    h.cfn
      .on(CreateStackCommand)
      .rejects(Object.assign(new Error("Template format error"), { name: "ValidationError" }));
    upload("{}");
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    expect(failure()).to.deep.equal(["CloudFormation refused the cluster: Template format error"]);
  });

  it("throws a throttling fault for Lambda to retry, and writes nothing", async () => {
    h.cfn.on(CreateStackCommand).rejects(
      Object.assign(new Error("Rate exceeded"), {
        name: "Throttling",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    upload("{}");
    let thrown: unknown;
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create")).catch(
      (e: unknown) => (thrown = e),
    );
    expect((thrown as Error).name).to.equal("Throttling");
    expect(h.written()).to.deep.equal({});
  });

  it("tells the user about an unexpected error and still throws it for the dead-letter queue", async () => {
    h.cfn.on(CreateStackCommand).rejects(
      Object.assign(new Error("not authorized"), {
        name: "AccessDenied",
        $metadata: { httpStatusCode: 403 },
      }),
    );
    upload("{}");
    let thrown: unknown;
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create")).catch(
      (e: unknown) => (thrown = e),
    );
    expect((thrown as Error).name).to.equal("AccessDenied");
    expect(failure()?.[0]).to.match(/unexpected error \(AccessDenied\)/);
  });
});
