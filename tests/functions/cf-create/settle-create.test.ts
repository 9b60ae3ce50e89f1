import {
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from "@aws-sdk/client-cloudformation";
import type { UserId } from "../../../functions/shared/identifiers.js";
import { expect } from "chai";
import { handleCreateOutcome } from "../../../functions/cf-create/settle-create.js";
import { parseFailureBody } from "../../../functions/shared/result-files.js";
import {
  givenRolledBackCreate,
  harness,
  events,
  holdSlotFor,
  stackIdOf,
  stack,
  statusEvent,
  type Harness,
} from "../../support/handler-harness.js";
import { STALE_AFTER } from "../../support/fixtures.js";

const withIp = { Outputs: [{ OutputKey: "LoginIp", OutputValue: "203.0.113.7" }] };

describe("cf-create: a stack-status event", () => {
  let h: Harness;
  afterEach(() => h.restore());

  it("writes .cf-created with the login IP, clears the trigger and stale results, then notifies", async () => {
    h = harness();
    holdSlotFor(h.registry, "fd-alice-c1");
    h.cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [stack("fd-alice-c1", "CREATE_COMPLETE", withIp)] });
    await handleCreateOutcome(h.createDeps, statusEvent("fd-alice-c1", "CREATE_COMPLETE"));
    expect(h.written()).to.deep.equal({ "home/alice/c1.cf-created": "203.0.113.7\n" });
    expect(h.deleted()).to.deep.equal(STALE_AFTER.created);
    expect(h.recorder.notices).to.have.length(1);
    expect(h.recorder.notices[0]?.notice.subject).to.equal(
      "[FlightDeck] alice/c1 is ready at 203.0.113.7",
    );
    expect(h.recorder.notices[0]?.userEmail).to.equal("alice@example.org");
  });

  it("deletes a complete stack whose slot names another stack, and says why instead of .cf-created", async () => {
    h = harness();
    holdSlotFor(h.registry, "fd-alice-c1");
    const other = stack("fd-alice-c1", "CREATE_COMPLETE", {
      ...withIp,
      StackId: stackIdOf("fd-alice-c1", "99999999-0000-1111-2222-333344445555"),
    });
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [other] });
    await handleCreateOutcome(h.createDeps, statusEvent("fd-alice-c1", "CREATE_COMPLETE"));
    expect(Object.keys(h.written())).to.deep.equal(["home/alice/c1.cf-failed"]);
    expect(h.written()["home/alice/c1.cf-failed"]).to.match(/without holding your quota slot/);
    const deletes = h.cfn.commandCalls(DeleteStackCommand);
    expect(deletes).to.have.length(1);
    expect(deletes[0]?.args[0].input.StackName).to.equal(other.StackId);
    expect(deletes[0]?.args[0].input.ClientRequestToken).to.match(/^fd-cleanup-/);
    // The slot still names its own stack.
    expect((await h.registry.record("alice" as UserId)).clusters.get("c1")?.stackId).to.equal(
      stackIdOf("fd-alice-c1"),
    );
  });

  it("records the stack in a slot that has not learnt it yet, when the create's token matches", async () => {
    h = harness();
    holdSlotFor(h.registry, "fd-alice-c1");
    const slots = h.registry.slots.get("alice");
    const slot = slots?.get("c1");
    if (slot !== undefined) slots?.set("c1", { ...slot, stackId: undefined });
    h.cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [stack("fd-alice-c1", "CREATE_COMPLETE", withIp)] });
    h.cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: events({
        LogicalResourceId: "fd-alice-c1",
        ResourceType: "AWS::CloudFormation::Stack",
        ResourceStatus: "CREATE_IN_PROGRESS",
        ClientRequestToken: "fd-create-c1",
      }),
    });
    await handleCreateOutcome(h.createDeps, statusEvent("fd-alice-c1", "CREATE_COMPLETE"));
    expect(h.written()).to.deep.equal({ "home/alice/c1.cf-created": "203.0.113.7\n" });
    expect((await h.registry.record("alice" as UserId)).clusters.get("c1")?.stackId).to.equal(
      stackIdOf("fd-alice-c1"),
    );
  });

  it("re-reads the stack by its id rather than trusting the event", async () => {
    h = harness();
    h.cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [stack("fd-alice-c1", "CREATE_COMPLETE", withIp)] });
    await handleCreateOutcome(h.createDeps, statusEvent("fd-alice-c1", "CREATE_COMPLETE"));
    expect(h.cfn.commandCalls(DescribeStacksCommand)[0]?.args[0].input.StackName).to.match(
      /^arn:aws:cloudformation:.*:stack\/fd-alice-c1\//,
    );
  });

  it("falls back to the first EC2 instance's public IP for templates without a LoginIp output", async () => {
    h = harness({ instanceIp: "198.51.100.4" });
    holdSlotFor(h.registry, "fd-alice-c1");
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "CREATE_COMPLETE")] });
    h.cfn.on(DescribeStackResourcesCommand).resolves({
      StackResources: [
        {
          LogicalResourceId: "Vpc",
          ResourceType: "AWS::EC2::VPC",
          PhysicalResourceId: "vpc-1",
          ResourceStatus: "CREATE_COMPLETE",
          Timestamp: new Date(),
        },
        {
          LogicalResourceId: "FlightLogin",
          ResourceType: "AWS::EC2::Instance",
          PhysicalResourceId: "i-0abc",
          ResourceStatus: "CREATE_COMPLETE",
          Timestamp: new Date(),
        },
      ],
    });
    await handleCreateOutcome(h.createDeps, statusEvent("fd-alice-c1", "CREATE_COMPLETE"));
    expect(h.written()).to.deep.equal({ "home/alice/c1.cf-created": "198.51.100.4\n" });
  });

  it("reports a complete stack without any login IP as a failure the admin must look at", async () => {
    h = harness();
    holdSlotFor(h.registry, "fd-alice-c1");
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "CREATE_COMPLETE")] });
    h.cfn.on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
    await handleCreateOutcome(h.createDeps, statusEvent("fd-alice-c1", "CREATE_COMPLETE"));
    expect(parseFailureBody(h.written()["home/alice/c1.cf-failed"] ?? "")?.reasons[0]).to.match(
      /has no login IP/,
    );
    expect(h.cfn.commandCalls(DeleteStackCommand)).to.have.length(0);
  });

  it("writes the first failing resource's reason, clears the trigger, deletes the stack, then notifies", async () => {
    h = harness();
    givenRolledBackCreate(
      h,
      {
        LogicalResourceId: "Vpc",
        ResourceType: "AWS::EC2::VPC",
        ResourceStatus: "CREATE_COMPLETE",
      },
      {
        LogicalResourceId: "Compute",
        ResourceType: "AWS::AutoScaling::AutoScalingGroup",
        ResourceStatus: "CREATE_FAILED",
        ResourceStatusReason:
          "You have requested more vCPU capacity than your current vCPU limit of 32 allows.",
      },
      {
        LogicalResourceId: "Master",
        ResourceType: "AWS::EC2::Instance",
        ResourceStatus: "CREATE_FAILED",
        ResourceStatusReason: "Resource creation cancelled",
      },
      {
        LogicalResourceId: "fd-alice-c1",
        ResourceType: "AWS::CloudFormation::Stack",
        ResourceStatus: "ROLLBACK_IN_PROGRESS",
        ResourceStatusReason: "The following resource(s) failed to create: [Compute, Master].",
      },
    );
    await handleCreateOutcome(h.createDeps, statusEvent("fd-alice-c1", "ROLLBACK_COMPLETE"));
    expect(parseFailureBody(h.written()["home/alice/c1.cf-failed"] ?? "")?.reasons).to.deep.equal([
      "Compute (AWS::AutoScaling::AutoScalingGroup) failed: You have requested more vCPU capacity than your current vCPU limit of 32 allows.",
    ]);
    expect(h.deleted()).to.deep.equal(["home/alice/c1.cf-create"]);
    const deletion = h.cfn.commandCalls(DeleteStackCommand)[0]?.args[0].input;
    expect(deletion?.StackName).to.match(/stack\/fd-alice-c1\//);
    expect(deletion?.ClientRequestToken).to.match(/^fd-cleanup-/);
    expect(h.recorder.notices[0]?.notice.subject).to.equal(
      "[FlightDeck] alice/c1 could not be created",
    );
  });

  it("waits while a failed stack is still rolling back", async () => {
    h = harness();
    h.cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [stack("fd-alice-c1", "ROLLBACK_IN_PROGRESS")] });
    await handleCreateOutcome(h.createDeps, statusEvent("fd-alice-c1", "CREATE_FAILED"));
    expect(h.written()).to.deep.equal({});
    expect(h.cfn.commandCalls(DeleteStackCommand)).to.have.length(0);
  });

  it("ignores a late CREATE_COMPLETE for a stack that is now being deleted", async () => {
    h = harness();
    h.cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [stack("fd-alice-c1", "DELETE_IN_PROGRESS", withIp)] });
    await handleCreateOutcome(h.createDeps, statusEvent("fd-alice-c1", "CREATE_COMPLETE"));
    expect(h.written()).to.deep.equal({});
    expect(h.recorder.notices).to.have.length(0);
  });

  it("leaves alone a stack whose USER tag does not match its name", async () => {
    h = harness();
    const forged = stack("fd-alice-c1", "CREATE_COMPLETE", {
      ...withIp,
      Tags: [{ Key: "USER", Value: "bob" }],
    });
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [forged] });
    await handleCreateOutcome(h.createDeps, statusEvent("fd-alice-c1", "CREATE_COMPLETE"));
    expect(h.written()).to.deep.equal({});
    expect(h.recorder.lines.find((l) => l.level === "warn")?.message).to.equal(
      "stack is not FlightDeck's (of this deployment and user); ignored",
    );
  });

  it("ignores stacks FlightDeck did not name", async () => {
    h = harness();
    await handleCreateOutcome(h.createDeps, statusEvent("someone-elses-stack", "CREATE_COMPLETE"));
    expect(h.cfn.commandCalls(DescribeStacksCommand)).to.have.length(0);
  });
});
