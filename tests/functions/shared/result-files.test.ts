import { expect } from "chai";
import type { ClusterName, UserId } from "../../../functions/shared/identifiers.js";
import {
  clusterFileKey,
  failureBody,
  LOGIN_METADATA,
  loginOfCreated,
  parseFailureBody,
  resultFileFor,
  staleFilesAfter,
  TRIGGER_SUFFIXES,
} from "../../../functions/shared/result-files.js";
import { STALE_AFTER } from "../../support/fixtures.js";

const alice = "alice" as UserId;
const c1 = "c1" as ClusterName;

describe("result files", () => {
  it("writes the login IP and a newline into .cf-created, as the seed did, and the login as metadata", () => {
    expect(
      resultFileFor("Alice.Smith" as UserId, c1, {
        kind: "created",
        loginIp: "203.0.113.7",
        login: "alice_smith",
      }),
    ).to.deep.equal({
      key: "home/Alice.Smith/c1.cf-created",
      body: "203.0.113.7\n",
      contentType: "text/plain; charset=utf-8",
      metadata: { "flightdeck-login": "alice_smith" },
    });
  });

  it("reads the login back from .cf-created's metadata, or derives it from the id", () => {
    const user = "Alice.Smith" as UserId;
    expect(loginOfCreated({ [LOGIN_METADATA]: "asmith" }, user)).to.equal("asmith");
    expect(loginOfCreated(undefined, user)).to.equal("alice_smith");
    expect(loginOfCreated({}, user)).to.equal("alice_smith");
    // Metadata is only trusted when it is a login the template would have accepted.
    expect(loginOfCreated({ [LOGIN_METADATA]: "x; rm -rf /" }, user)).to.equal("alice_smith");
  });

  it("writes .cf-deleted, saying where results copied out with flightdeck-sync are", () => {
    const file = resultFileFor(alice, c1, { kind: "deleted" });
    expect(file.key).to.equal("home/alice/c1.cf-deleted");
    expect(file.body).to.include("flightdeck-sync");
    expect(file.body).to.include("home/alice/results/c1/");
  });

  it("writes reasons a person can read, then one JSON line a script can", () => {
    const file = resultFileFor(alice, c1, {
      kind: "failed",
      action: "create",
      reasons: ["ComputeMaxNodes is 25, above your limit of 20."],
    });
    expect(file.key).to.equal("home/alice/c1.cf-failed");
    expect(file.body.split("\n").slice(0, 2)).to.deep.equal([
      'FlightDeck could not create cluster "c1":',
      "  - ComputeMaxNodes is 25, above your limit of 20.",
    ]);
    expect(parseFailureBody(file.body)).to.deep.equal({
      flightdeck: "cf-failed",
      action: "create",
      cluster: "c1",
      reasons: ["ComputeMaxNodes is 25, above your limit of 20."],
    });
  });

  it("reads plain-text failure files as having no record", () => {
    expect(parseFailureBody("something broke\n")).to.equal(undefined);
    expect(parseFailureBody(failureBody("c1", "delete", []).replace("cf-failed", "x"))).to.equal(
      undefined,
    );
  });

  it("never names a file that could trigger a handler", () => {
    for (const outcome of [
      { kind: "created", loginIp: "1.2.3.4", login: "alice" },
      { kind: "deleted" },
      { kind: "failed", action: "create", reasons: [] },
    ] as const) {
      const key = resultFileFor(alice, c1, outcome).key;
      expect(
        TRIGGER_SUFFIXES.some((suffix) => key.endsWith(suffix)),
        key,
      ).to.equal(false);
    }
  });

  it("clears the files of earlier states once an outcome is written", () => {
    expect(
      staleFilesAfter(alice, c1, { kind: "created", loginIp: "x", login: "alice" }),
    ).to.deep.equal(STALE_AFTER.created);
    expect(staleFilesAfter(alice, c1, { kind: "deleted" })).to.deep.equal(STALE_AFTER.deleted);
    expect(
      staleFilesAfter(alice, c1, { kind: "failed", action: "delete", reasons: [] }),
    ).to.deep.equal([clusterFileKey(alice, c1, "delete")]);
  });
});
