import { expect } from "chai";
import {
  decodeStackStatusEvent,
  meaningOfStatus,
} from "../../../functions/shared/stack-status-event.js";
import { leftOf, rightOf } from "../../support/either.js";
import { fixtureJson } from "../../support/fixtures.js";

describe("stack status events", () => {
  it("decodes EventBridge's CloudFormation Stack Status Change event", () => {
    const event = rightOf(decodeStackStatusEvent(fixtureJson("events/stack-create-complete.json")));
    expect(event.detail["status-details"].status).to.equal("CREATE_COMPLETE");
    expect(event.detail["stack-id"]).to.match(/:stack\/fd-alice-c1\//);
  });

  it("rejects other events", () => {
    expect(leftOf(decodeStackStatusEvent({ source: "aws.s3" })).length).to.be.greaterThan(0);
  });

  it("classifies final and in-progress statuses", () => {
    expect(meaningOfStatus("CREATE_COMPLETE")).to.equal("created");
    for (const status of ["CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED"]) {
      expect(meaningOfStatus(status)).to.equal("create-failed");
    }
    expect(meaningOfStatus("ROLLBACK_IN_PROGRESS")).to.equal("in-progress");
    expect(meaningOfStatus("DELETE_COMPLETE")).to.equal("deleted");
    expect(meaningOfStatus("DELETE_FAILED")).to.equal("delete-failed");
    expect(meaningOfStatus("UPDATE_COMPLETE")).to.equal("created");
    expect(meaningOfStatus("UPDATE_ROLLBACK_FAILED")).to.equal("other");
    expect(meaningOfStatus("toString")).to.equal("other");
    expect(meaningOfStatus(undefined)).to.equal("other");
  });
});
