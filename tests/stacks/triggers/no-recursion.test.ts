import { expect } from "chai";
import fc from "fast-check";
import type { ClusterName, UserId } from "../../../functions/shared/identifiers.js";
import { CLUSTER_NAME_PATTERN, USER_ID_PATTERN } from "../../../functions/shared/identifiers.js";
import { LOGIN_PATTERN } from "../../../functions/shared/login-name.js";
import {
  FILE_SUFFIXES,
  resultFileFor,
  staleFilesAfter,
  TRIGGER_SUFFIXES,
  type Outcome,
} from "../../../functions/shared/result-files.js";
import { TRIGGER_FILTERS, triggersHandler } from "../../../functions/shared/trigger-filters.js";
import {
  asList,
  identityPolicy,
  MONEY_FILE_ENDINGS,
  RESULT_FILE_ENDINGS,
} from "../support/policies.js";
import { resourcesOf, synthFlightDeck } from "../support/synth.js";

/*
 * No handler can start a handler: what they write never matches a
 * notification filter, by the code that names the files and by IAM.
 */
describe("no recursion between the bucket and the handlers", () => {
  const synthesized = synthFlightDeck();

  it("synthesizes exactly the trigger filters, one per trigger suffix", () => {
    const notification = Object.values(resourcesOf(synthesized, "aws_s3_bucket_notification"))[0];
    const filters = (notification?.["queue"] as Array<Record<string, unknown>>).map(
      (t) => `${String(t["filter_prefix"])}*${String(t["filter_suffix"])}`,
    );
    expect(filters.sort()).to.deep.equal(
      TRIGGER_FILTERS.map((f) => `${f.prefix}*${f.suffix}`).sort(),
    );
    expect(TRIGGER_FILTERS.map((f) => f.suffix).sort()).to.deep.equal([...TRIGGER_SUFFIXES].sort());
  });

  it("every result file ends in .cf-created, .cf-deleted or .cf-failed and triggers nothing", () => {
    const users = fc.stringMatching(USER_ID_PATTERN) as fc.Arbitrary<UserId>;
    const clusters = fc.stringMatching(CLUSTER_NAME_PATTERN) as fc.Arbitrary<ClusterName>;
    const outcomes: fc.Arbitrary<Outcome> = fc.oneof(
      fc.record({
        kind: fc.constant("created" as const),
        loginIp: fc.ipV4(),
        login: fc.stringMatching(LOGIN_PATTERN),
      }),
      fc.constant({ kind: "deleted" as const }),
      fc.record({
        kind: fc.constant("failed" as const),
        action: fc.constantFrom("create" as const, "delete" as const),
        reasons: fc.array(fc.string()),
      }),
    );
    fc.assert(
      fc.property(users, clusters, outcomes, (user, cluster, outcome) => {
        const { key } = resultFileFor(user, cluster, outcome);
        const results = [FILE_SUFFIXES.created, FILE_SUFFIXES.deleted, FILE_SUFFIXES.failed];
        return results.some((suffix) => key.endsWith(suffix)) && !triggersHandler(key);
      }),
    );
  });

  it("IAM lets the handlers write only keys that match no filter", () => {
    for (const role of ["fdtest-cf-create", "fdtest-cf-delete"]) {
      const writes = identityPolicy(synthesized, role)
        .Statement.filter((s) => s.Effect === "Allow" && asList(s.Action).includes("s3:PutObject"))
        .flatMap((s) => asList(s.Resource));
      expect(writes, role).not.to.have.lengthOf(0);
      for (const pattern of writes) {
        const key = pattern.replace(/^arn:aws:s3:::[^/]+\//, "");
        // A pattern matches a trigger only if its fixed ending could end in a trigger suffix.
        const ending = key.slice(key.lastIndexOf("*") + 1);
        expect(
          TRIGGER_SUFFIXES.some((suffix) => ending.endsWith(suffix) || suffix.endsWith(ending)),
          pattern,
        ).to.equal(false);
        // The price book is the one file outside every home.
        const allowed = [...RESULT_FILE_ENDINGS, ...MONEY_FILE_ENDINGS, "flightdeck/prices.json"];
        expect(allowed).to.include(ending);
      }
    }
  });

  it("deleting stale files is the only thing a handler does to trigger files", () => {
    const removed = staleFilesAfter("alice" as UserId, "c1" as ClusterName, {
      kind: "created",
      loginIp: "192.0.2.1",
      login: "alice",
    });
    // A new cluster's files replace the old one's, an unanswered .cf-extend among them.
    expect(removed.filter((key) => triggersHandler(key))).to.deep.equal([
      "home/alice/c1.cf-create",
      "home/alice/c1.cf-extend",
    ]);
  });
});
