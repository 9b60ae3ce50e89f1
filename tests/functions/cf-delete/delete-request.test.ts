import {
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from "@aws-sdk/client-cloudformation";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { expect } from "chai";
import { handleDeleteRequest } from "../../../functions/cf-delete/delete-request.js";
import { parseFailureBody } from "../../../functions/shared/result-files.js";
import { events, harness, s3Record, stack, type Harness } from "../../support/handler-harness.js";

describe("cf-delete: a .cf-delete upload", () => {
  let h: Harness;
  beforeEach(() => (h = harness()));
  afterEach(() => h.restore());

  /** fd-alice-c1 is being deleted, for a user's delete or a failed create's clean-up. */
  const givenDeleting = (purpose: "delete" | "cleanup") => {
    h.cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [stack("fd-alice-c1", "DELETE_IN_PROGRESS")] });
    h.cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: events({
        ResourceType: "AWS::CloudFormation::Stack",
        ResourceStatus: "DELETE_IN_PROGRESS",
        ClientRequestToken: `fd-${purpose}-${"a".repeat(48)}`,
      }),
    });
  };

  it("deletes the user's stack with a deterministic token, reading no more of the file than an idle master's note", async () => {
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "CREATE_COMPLETE")] });
    await handleDeleteRequest(h.deleteDeps, s3Record("home/alice/c1.cf-delete"));
    await handleDeleteRequest(h.deleteDeps, s3Record("home/alice/c1.cf-delete"));
    const [first, second] = h.cfn.commandCalls(DeleteStackCommand).map((c) => c.args[0].input);
    expect(first?.StackName).to.match(/stack\/fd-alice-c1\//);
    expect(first?.ClientRequestToken).to.match(/^fd-delete-[0-9a-f]{48}$/);
    expect(second?.ClientRequestToken).to.equal(first?.ClientRequestToken);
    expect(h.s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).to.deep.equal([
      "home/alice/c1.cf-delete",
      "home/alice/c1.cf-delete",
    ]);
    expect(h.written()).to.deep.equal({});
  });

  it("reports a cluster that does not exist as deleted at once", async () => {
    h.cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error("Stack with id fd-alice-c9 does not exist"), {
        name: "ValidationError",
      }),
    );
    await handleDeleteRequest(h.deleteDeps, s3Record("home/alice/c9.cf-delete"));
    expect(Object.keys(h.written())).to.deep.equal(["home/alice/c9.cf-deleted"]);
    expect(h.deleted()).to.deep.equal([
      "home/alice/c9.cf-delete",
      "home/alice/c9.cf-created",
      "home/alice/c9.cf-failed",
      "home/alice/c9.cf-extend",
      "home/alice/c9.cf-extended",
      "home/alice/c9.cf-expiring",
    ]);
    expect(h.cfn.commandCalls(DeleteStackCommand)).to.have.length(0);
  });

  it("refuses to delete a stack whose USER tag is someone else's", async () => {
    const bobs = stack("fd-alice-c1", "CREATE_COMPLETE", { Tags: [{ Key: "USER", Value: "bob" }] });
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [bobs] });
    await handleDeleteRequest(h.deleteDeps, s3Record("home/alice/c1.cf-delete"));
    expect(h.cfn.commandCalls(DeleteStackCommand)).to.have.length(0);
    expect(parseFailureBody(h.written()["home/alice/c1.cf-failed"] ?? "")?.reasons).to.deep.equal([
      "The stack named fd-alice-c1 is not one of FlightDeck's clusters for you; nothing was deleted. Ask your administrator.",
    ]);
    expect(Object.keys(h.written()).every((key) => key.startsWith("home/alice/"))).to.equal(true);
  });

  it("does nothing more for a stack the user is already deleting: its outcome will answer", async () => {
    givenDeleting("delete");
    await handleDeleteRequest(h.deleteDeps, s3Record("home/alice/c1.cf-delete"));
    expect(h.cfn.commandCalls(DeleteStackCommand)).to.have.length(0);
    expect(h.written()).to.deep.equal({});
  });

  it("answers at once while a failed create is cleaned up, which writes no .cf-deleted itself", async () => {
    givenDeleting("cleanup");
    await handleDeleteRequest(h.deleteDeps, s3Record("home/alice/c1.cf-delete"));
    expect(Object.keys(h.written())).to.deep.equal(["home/alice/c1.cf-deleted"]);
  });

  it("gives each .cf-delete upload its own token, so a delete after DELETE_FAILED runs again", async () => {
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "DELETE_FAILED")] });
    await handleDeleteRequest(
      h.deleteDeps,
      s3Record("home/alice/c1.cf-delete", { versionId: "v1" }),
    );
    await handleDeleteRequest(
      h.deleteDeps,
      s3Record("home/alice/c1.cf-delete", { versionId: "v2" }),
    );
    const [first, second] = h.cfn.commandCalls(DeleteStackCommand).map((c) => c.args[0].input);
    expect(second?.ClientRequestToken).not.to.equal(first?.ClientRequestToken);
  });

  it("ignores .cf-create uploads sent to it", async () => {
    await handleDeleteRequest(h.deleteDeps, s3Record("home/alice/c1.cf-create"));
    expect(h.cfn.commandCalls(DescribeStacksCommand)).to.have.length(0);
    expect(h.written()).to.deep.equal({});
  });
});
