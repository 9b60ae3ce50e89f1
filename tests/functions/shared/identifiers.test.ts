import { expect } from "chai";
import fc from "fast-check";
import {
  ClusterNameCodec,
  EmailCodec,
  isClusterName,
  isUserId,
  UserIdCodec,
} from "../../../functions/shared/identifiers.js";
import { decodeReadably } from "../../../functions/shared/readable-errors.js";
import { clusterNames, userIds } from "../../support/arbitraries.js";
import { leftOf, rightOf } from "../../support/either.js";

describe("identifiers", () => {
  it("accepts every valid cluster name and user id, through the codec and the guard alike", () => {
    fc.assert(
      fc.property(clusterNames, userIds, (cluster, user) => {
        expect(rightOf(decodeReadably(ClusterNameCodec, cluster))).to.equal(cluster);
        expect(isClusterName(cluster)).to.equal(true);
        expect(rightOf(decodeReadably(UserIdCodec, user))).to.equal(user);
        expect(isUserId(user)).to.equal(true);
      }),
    );
  });

  it("refuses a cluster name with a sentence that says what a name may hold", () => {
    for (const name of ["", "-c1", "c_1", "c".repeat(41), "c1.cf-create"]) {
      expect(isClusterName(name), name).to.equal(false);
      expect(leftOf(decodeReadably(ClusterNameCodec, name))).to.deep.equal([
        `The value must be a cluster name: a letter or digit, then letters, digits or hyphens, at most 40 characters (got ${JSON.stringify(name)}).`,
      ]);
    }
    expect(leftOf(decodeReadably(ClusterNameCodec, 7))[0]).to.match(/must be a cluster name/);
  });

  it("takes an email address with one @ and a dot in the domain, and nothing else", () => {
    expect(rightOf(decodeReadably(EmailCodec, "admin@hpc.test"))).to.equal("admin@hpc.test");
    for (const address of ["admin", "admin@hpc", "a b@hpc.test", "a@b@hpc.test"]) {
      expect(leftOf(decodeReadably(EmailCodec, address)), address).to.deep.equal([
        `The value must be an email address (got ${JSON.stringify(address)}).`,
      ]);
    }
  });
});
