import { DescribeStackEventsCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { expect } from "chai";
import { handleDeleteOutcome } from "../../../functions/cf-delete/delete-outcome.js";
import type { ClusterName, UserId } from "../../../functions/shared/identifiers.js";
import { deleteTokenFor } from "../../../functions/shared/request-tokens.js";
import { parseFailureBody } from "../../../functions/shared/result-files.js";
import {
  events,
  harness,
  stack,
  stackIdOf,
  statusEvent,
  type Harness,
} from "../../support/handler-harness.js";
import { STALE_AFTER } from "../../support/fixtures.js";

const id = stackIdOf("fd-alice-c1");

describe("cf-delete: a stack-status event", () => {
  let h: Harness;
  beforeEach(() => (h = harness()));
  afterEach(() => h.restore());

  it("writes .cf-deleted after a user's delete, clears the old files, then notifies", async () => {
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "DELETE_COMPLETE")] });
    h.cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    await handleDeleteOutcome(
      h.deleteDeps,
      statusEvent("fd-alice-c1", "DELETE_COMPLETE", deleteTokenFor(id, "delete")),
    );
    expect(Object.keys(h.written())).to.deep.equal(["home/alice/c1.cf-deleted"]);
    expect(h.deleted()).to.deep.equal(STALE_AFTER.deleted);
    expect(h.recorder.notices[0]?.notice.subject).to.equal(
      "[FlightDeck] alice/c1 has been deleted",
    );
  });

  /** alice's slot for c1, taken by `token`; with its stack's id once CreateStack answered. */
  const slotFor = async (token: string, stackId?: string) => {
    const [user, cluster] = ["alice" as UserId, "c1" as ClusterName];
    const claim = { vcpus: 4, token, nowMs: Date.now(), expiresAt: undefined };
    await h.registry.acquire(user, cluster, claim, { maxClusters: 3, maxVcpus: undefined });
    if (stackId !== undefined) await h.registry.recordStack(user, cluster, token, stackId);
  };
  const holdsSlot = async () => (await h.registry.record("alice" as UserId)).clusters.has("c1");

  it("reads no stack events when the event names the delete and the slot names the stack", async () => {
    await slotFor("create-token", id);
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "DELETE_COMPLETE")] });
    await handleDeleteOutcome(
      h.deleteDeps,
      statusEvent("fd-alice-c1", "DELETE_COMPLETE", deleteTokenFor(id, "delete")),
    );
    expect(await holdsSlot()).to.equal(false);
    expect(Object.keys(h.written())).to.deep.equal(["home/alice/c1.cf-deleted"]);
    expect(h.cfn.commandCalls(DescribeStackEventsCommand)).to.have.length(0);
  });

  /** A user's delete of c1 completing, for a stack whose create carried `createToken`. */
  const userDeleteCompletes = async (createToken: string) => {
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "DELETE_COMPLETE")] });
    h.cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: events({
        ResourceType: "AWS::CloudFormation::Stack",
        ResourceStatus: "CREATE_IN_PROGRESS",
        ClientRequestToken: createToken,
      }),
    });
    await handleDeleteOutcome(
      h.deleteDeps,
      statusEvent("fd-alice-c1", "DELETE_COMPLETE", deleteTokenFor(id, "delete")),
    );
  };

  it("gives the slot back by the create's token, from the events, when it never learnt its stack", async () => {
    await slotFor("create-token");
    await userDeleteCompletes("create-token");
    expect(await holdsSlot()).to.equal(false);
    expect(h.cfn.commandCalls(DescribeStackEventsCommand)).to.have.length(1);
  });

  it("keeps a newer create's slot when a late delete event of the old stack arrives", async () => {
    await slotFor("new-create-token", stackIdOf("fd-alice-c1").replace(/\/[^/]+$/, "/newer"));
    await userDeleteCompletes("old-create-token");
    expect(await holdsSlot()).to.equal(true);
  });

  it("says nothing to the user when the delete was the clean-up of a failed create", async () => {
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "DELETE_COMPLETE")] });
    h.cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    await handleDeleteOutcome(
      h.deleteDeps,
      statusEvent("fd-alice-c1", "DELETE_COMPLETE", deleteTokenFor(id, "cleanup")),
    );
    expect(h.written()).to.deep.equal({});
    expect(h.recorder.notices).to.have.length(0);
  });

  it("reads the delete's purpose from the stack's events when the event has no token", async () => {
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "DELETE_COMPLETE")] });
    h.cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: events(
        {
          ResourceType: "AWS::CloudFormation::Stack",
          ResourceStatus: "DELETE_IN_PROGRESS",
          ClientRequestToken: deleteTokenFor(id, "cleanup"),
        },
        {
          ResourceType: "AWS::CloudFormation::Stack",
          ResourceStatus: "DELETE_COMPLETE",
          ClientRequestToken: deleteTokenFor(id, "cleanup"),
        },
      ),
    });
    await handleDeleteOutcome(h.deleteDeps, statusEvent("fd-alice-c1", "DELETE_COMPLETE"));
    expect(h.written()).to.deep.equal({});
  });

  it("reports a console delete by the admin as deleted", async () => {
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "DELETE_COMPLETE")] });
    h.cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    await handleDeleteOutcome(
      h.deleteDeps,
      statusEvent("fd-alice-c1", "DELETE_COMPLETE", "Console-DeleteStack-7f59c3cf"),
    );
    expect(Object.keys(h.written())).to.deep.equal(["home/alice/c1.cf-deleted"]);
  });

  it("writes .cf-failed with the reason when the delete fails", async () => {
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "DELETE_FAILED")] });
    h.cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: events(
        {
          LogicalResourceId: "Master",
          ResourceType: "AWS::EC2::Instance",
          ResourceStatus: "CREATE_FAILED",
          ResourceStatusReason: "old failure",
        },
        { ResourceType: "AWS::CloudFormation::Stack", ResourceStatus: "DELETE_IN_PROGRESS" },
        {
          LogicalResourceId: "Vpc",
          ResourceType: "AWS::EC2::VPC",
          ResourceStatus: "DELETE_FAILED",
          ResourceStatusReason: "The vpc has dependencies and cannot be deleted.",
        },
      ),
    });
    await handleDeleteOutcome(
      h.deleteDeps,
      statusEvent("fd-alice-c1", "DELETE_FAILED", deleteTokenFor(id, "delete")),
    );
    expect(parseFailureBody(h.written()["home/alice/c1.cf-failed"] ?? "")).to.deep.include({
      action: "delete",
      reasons: ["Vpc (AWS::EC2::VPC) failed: The vpc has dependencies and cannot be deleted."],
    });
    expect(h.deleted()).to.deep.equal(["home/alice/c1.cf-delete"]);
    expect(h.recorder.notices[0]?.userEmail).to.equal("alice@example.org");
  });

  it("tells only the admin when a clean-up delete fails", async () => {
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "DELETE_FAILED")] });
    h.cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    await handleDeleteOutcome(
      h.deleteDeps,
      statusEvent("fd-alice-c1", "DELETE_FAILED", deleteTokenFor(id, "cleanup")),
    );
    expect(h.written()).to.deep.equal({});
    expect(h.recorder.notices).to.have.length(1);
    expect(h.recorder.notices[0]?.userEmail).to.equal(undefined);
  });

  it("ignores a delete event for a stack that has since come back up", async () => {
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "CREATE_COMPLETE")] });
    await handleDeleteOutcome(h.deleteDeps, statusEvent("fd-alice-c1", "DELETE_COMPLETE"));
    expect(h.written()).to.deep.equal({});
  });
});
