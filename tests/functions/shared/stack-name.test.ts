import { expect } from "chai";
import fc from "fast-check";
import type { ClusterName, StackPrefix, UserId } from "../../../functions/shared/identifiers.js";
import {
  MAX_STACK_NAME_LENGTH,
  parseStackName,
  stackNameFor,
  stackNameOfArn,
  userStackPrefix,
} from "../../../functions/shared/stack-name.js";
import { clusterNames, stackPrefixes, userIds } from "../../support/arbitraries.js";

const fd = "fd" as StackPrefix;
const u = (s: string) => s as UserId;
const c = (s: string) => s as ClusterName;
const CFN_STACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/;

describe("stack names", () => {
  it("keeps plain user names readable", () => {
    expect(stackNameFor(fd, u("alice"), c("c1"))).to.equal("fd-alice-c1");
    expect(stackNameFor(fd, u("alice.smith"), c("big-run"))).to.equal("fd-alice0dsmith-big-run");
    expect(stackNameFor(fd, u("bob0"), c("x"))).to.equal("fd-bob00-x");
  });

  it("tells apart the pairs the seed confused", () => {
    expect(stackNameFor(fd, u("alice"), c("c1"))).not.to.equal(stackNameFor(fd, u("bob"), c("c1")));
    // A hyphen may sit in the user or the cluster; the names must still differ.
    expect(stackNameFor(fd, u("a-b"), c("c"))).not.to.equal(stackNameFor(fd, u("a"), c("b-c")));
  });

  it("is valid for CloudFormation for every user, cluster and prefix", () => {
    fc.assert(
      fc.property(stackPrefixes, userIds, clusterNames, (prefix, user, cluster) => {
        const name = stackNameFor(prefix, user, cluster);
        expect(name).to.match(CFN_STACK_NAME);
        expect(name.length).to.be.at.most(MAX_STACK_NAME_LENGTH);
      }),
      { numRuns: 5000 },
    );
  });

  it("is injective: parsing a name gives back exactly its user and cluster", () => {
    fc.assert(
      fc.property(stackPrefixes, userIds, clusterNames, (prefix, user, cluster) => {
        const parsed = parseStackName(prefix, stackNameFor(prefix, user, cluster));
        expect(parsed).to.deep.include({ user, cluster });
      }),
      { numRuns: 5000 },
    );
  });

  it("never gives two distinct pairs the same name", () => {
    fc.assert(
      fc.property(userIds, clusterNames, userIds, clusterNames, (u1, c1, u2, c2) => {
        fc.pre(u1 !== u2 || c1 !== c2);
        expect(stackNameFor(fd, u1, c1)).not.to.equal(stackNameFor(fd, u2, c2));
      }),
      { numRuns: 5000 },
    );
  });

  it("packs the longest awkward user names and still fits 128 characters", () => {
    const user = u(`${".".repeat(63)}_`);
    const cluster = c(`a${"-".repeat(39)}`);
    const prefix = "F234567890123456" as StackPrefix;
    const name = stackNameFor(prefix, user, cluster);
    expect(name.length).to.be.at.most(128);
    expect(name).to.match(CFN_STACK_NAME);
    expect(parseStackName(prefix, name)).to.deep.include({ user, cluster });
  });

  it("puts every stack of one user, and no one else's, under that user's prefix", () => {
    fc.assert(
      fc.property(userIds, userIds, clusterNames, (owner, other, cluster) => {
        fc.pre(owner !== other);
        expect(stackNameFor(fd, owner, cluster).startsWith(userStackPrefix(fd, owner))).to.equal(
          true,
        );
        expect(stackNameFor(fd, other, cluster).startsWith(userStackPrefix(fd, owner))).to.equal(
          false,
        );
      }),
      { numRuns: 3000 },
    );
  });

  it("does not parse names FlightDeck would not make", () => {
    for (const name of [
      "fd-alice",
      "other-alice-c1",
      "fd--c1",
      "fd-0x-c1",
      "fd-alice-",
      "fd-al0ice-c1",
      "fdx-alice-c1",
    ]) {
      expect(parseStackName(fd, name), name).to.equal(undefined);
    }
  });

  it("reads the stack name out of a stack ARN", () => {
    const arn =
      "arn:aws:cloudformation:eu-west-2:123456789012:stack/fd-alice-c1/0b1c2d3e-1111-2222-3333-444455556666";
    expect(stackNameOfArn(arn)).to.equal("fd-alice-c1");
    expect(stackNameOfArn("fd-alice-c1")).to.equal(undefined);
  });
});
