import { expect } from "chai";
import fc from "fast-check";
import { parseTriggerKey, decodeEventKey } from "../../../functions/shared/trigger-key.js";
import { TRIGGER_SUFFIXES } from "../../../functions/shared/result-files.js";
import { leftOf, rightOf } from "../../support/either.js";
import { clusterNames, userIds } from "../../support/arbitraries.js";

/** How S3 writes a key into an event record: form-URL-encoded. */
const s3EventKey = (key: string) =>
  encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");

describe("trigger keys", () => {
  it("parses a create and a delete trigger", () => {
    expect(rightOf(parseTriggerKey("home/alice/c1.cf-create"))).to.deep.equal({
      user: "alice",
      cluster: "c1",
      action: "create",
      key: "home/alice/c1.cf-create",
    });
    expect(rightOf(parseTriggerKey("home/alice/big-run-2.cf-delete")).action).to.equal("delete");
  });

  it("decodes S3's form-URL-encoding: + is a space and %2B a plus", () => {
    expect(rightOf(parseTriggerKey("home/a%2Bb%40x.org/c1.cf-create")).user).to.equal("a+b@x.org");
    expect(decodeEventKey("a+b%2Bc")).to.equal("a b+c");
    const spaced = leftOf(parseTriggerKey("home/alice/my+cluster.cf-create"));
    expect(spaced.reason).to.contain('"my cluster" is not a valid cluster name');
  });

  it("round-trips every valid user and cluster through S3's encoding", () => {
    fc.assert(
      fc.property(
        userIds,
        clusterNames,
        fc.constantFrom("create", "delete"),
        (user, cluster, action) => {
          const parsed = rightOf(
            parseTriggerKey(s3EventKey(`home/${user}/${cluster}.cf-${action}`)),
          );
          expect(parsed).to.deep.include({ user, cluster, action });
        },
      ),
      { numRuns: 2000 },
    );
  });

  const rejected: Array<[string, RegExp, string | undefined]> = [
    ["home/alice/sub/c1.cf-create", /is in a sub-folder/, "home/alice/c1.cf-failed"],
    [
      "home/alice/../bob/c1.cf-create",
      /contains an empty, '\.' or '\.\.' folder/,
      "home/alice/c1.cf-failed",
    ],
    ["home/alice//c1.cf-create", /contains an empty/, "home/alice/c1.cf-failed"],
    [
      "home/alice/c1.cf-created",
      /does not end in \.cf-create, \.cf-delete or \.cf-extend/,
      undefined,
    ],
    ["home/alice/c1.cf-failed", /does not end in/, undefined],
    ["home/alice/c1.json", /does not end in/, undefined],
    ["home/alice/-c1.cf-create", /not a valid cluster name/, "home/alice/-c1.cf-failed"],
    ["home/alice/c_1.cf-delete", /not a valid cluster name/, "home/alice/c_1.cf-failed"],
    [
      `home/alice/${"a".repeat(41)}.cf-create`,
      /not a valid cluster name/,
      `home/alice/${"a".repeat(41)}.cf-failed`,
    ],
    ["home/alice/.cf-create", /not a valid cluster name/, "home/alice/.cf-failed"],
  ];
  for (const [key, reason, failedKey] of rejected) {
    it(`rejects ${key} and says why`, () => {
      const rejection = leftOf(parseTriggerKey(key));
      expect(rejection.reason).to.match(reason);
      expect(rejection.user).to.equal("alice");
      expect(rejection.failedKey).to.equal(failedKey);
    });
  }

  it("has no one to tell outside a valid user's home", () => {
    for (const key of [
      "c1.cf-create",
      "home/c1.cf-create",
      "other/alice/c1.cf-create",
      "home/al ice/c1.cf-create",
      `home/${"a".repeat(65)}/c1.cf-create`,
      "home/ali%ZZce/c1.cf-create",
    ]) {
      const rejection = leftOf(parseTriggerKey(key));
      expect(rejection.user, key).to.equal(undefined);
      expect(rejection.failedKey, key).to.equal(undefined);
    }
  });

  it("says for the log why a key is no user's trigger", () => {
    const reasonOf = (key: string) => leftOf(parseTriggerKey(key)).reason;
    expect(reasonOf("home/ali%ZZce/c1.cf-create")).to.equal(
      'The key "home/ali%ZZce/c1.cf-create" is not validly URL-encoded.',
    );
    expect(reasonOf("other/alice/c1.cf-create")).to.equal(
      'The key "other/alice/c1.cf-create" is not inside a user\'s home folder.',
    );
    expect(reasonOf("home/al+ice/c1.cf-create")).to.match(
      /^The folder name "al ice" is not a valid user name \(.+\)\.$/,
    );
  });

  it("reads .cf-extend as an extension of the cluster it names", () => {
    expect(rightOf(parseTriggerKey("home/alice/c1.cf-extend"))).to.deep.include({
      user: "alice",
      cluster: "c1",
      action: "extend",
    });
  });

  it("only ever points a failure file into the same user's home, where it cannot trigger anything", () => {
    fc.assert(
      fc.property(
        userIds,
        fc.array(fc.string(), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...TRIGGER_SUFFIXES),
        (user, segments, suffix) => {
          const rejection = parseTriggerKey(
            s3EventKey(`home/${user}/${segments.join("/")}${suffix}`),
          );
          if (rejection._tag === "Right" || rejection.left.failedKey === undefined) return;
          expect(rejection.left.failedKey.startsWith(`home/${user}/`)).to.equal(true);
          expect(rejection.left.failedKey.slice(`home/${user}/`.length)).not.to.contain("/");
          expect(TRIGGER_SUFFIXES.some((s) => rejection.left.failedKey?.endsWith(s))).to.equal(
            false,
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});
