import { DescribeStackEventsCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { expect } from "chai";
import { handleDeleteOutcome } from "../../../functions/cf-delete/delete-outcome.js";
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
    expect(h.deleted()).to.deep.equal([
      "home/alice/c1.cf-delete",
      "home/alice/c1.cf-created",
      "home/alice/c1.cf-failed",
      "home/alice/c1.cf-extend",
      "home/alice/c1.cf-extended",
      "home/alice/c1.cf-expiring",
    ]);
    expect(h.recorder.notices[0]?.notice.subject).to.equal(
      "[FlightDeck] alice/c1 has been deleted",
    );
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
