import { expect } from "chai";
import {
  decodePolicy,
  defaultsFor,
  limitsFor,
} from "../../../functions/shared/deployment-policy.js";
import type { UserId } from "../../../functions/shared/identifiers.js";
import { leftOf } from "../../support/either.js";
import { basePolicy } from "../../support/policies.js";

const raw = {
  deployment: "fdtest",
  nodePermissionsBoundary: "arn:aws:iam::111122223333:policy/flightdeck/fdtest-node-boundary",
  userBucket: "fd-users",
  stackPrefix: "fd",
  customizer: { bucket: "b", prefix: "customizer" },
  defaults: {},
  limits: {},
  users: {},
  tags: {},
};

describe("deployment policy", () => {
  it("layers a user's own limits and defaults over the deployment's", () => {
    const policy = basePolicy({
      defaults: { ComputeMaxNodes: 4, AutoscalingPolicy: true },
      limits: { maxComputeNodes: 10, maxClusters: "2" },
      users: { alice: { limits: { maxComputeNodes: 50 }, defaults: { ComputeMaxNodes: "8" } } },
    });
    expect(limitsFor(policy, "alice" as UserId)).to.deep.equal({
      maxComputeNodes: "50",
      maxClusters: "2",
    });
    expect(limitsFor(policy, "bob" as UserId)).to.deep.equal({
      maxComputeNodes: "10",
      maxClusters: "2",
    });
    expect(defaultsFor(policy, "alice" as UserId)).to.deep.equal({
      ComputeMaxNodes: "8",
      AutoscalingPolicy: "true",
    });
  });

  it("gives a user named like an Object property nothing inherited", () => {
    const policy = basePolicy();
    expect(limitsFor(policy, "constructor" as UserId)).to.deep.equal({});
    expect(defaultsFor(policy, "__proto__" as UserId)).to.deep.equal({});
  });

  it("rejects typos, naming the allowed keys", () => {
    const errors = leftOf(decodePolicy({ ...raw, limits: { maxComputeNode: 3 } }));
    expect(errors[0]).to.contain('"maxComputeNode" is not a known setting here');
    expect(errors[0]).to.contain("maxComputeNodes");
  });

  it("rejects defaults for parameters FlightDeck sets itself", () => {
    expect(leftOf(decodePolicy({ ...raw, defaults: { AccessUsername: "bob" } }))[0]).to.equal(
      "Defaults may not set AccessUsername: FlightDeck sets these for every stack.",
    );
  });

  it("rejects tags that would overwrite FlightDeck's own or AWS's", () => {
    const errors = leftOf(decodePolicy({ ...raw, tags: { USER: "x", "aws:foo": "y" } }));
    expect(errors).to.deep.equal([
      "Tag USER is set by FlightDeck itself.",
      'Tag aws:foo: keys starting with "aws:" are reserved by AWS.',
    ]);
  });

  it("rejects an invalid stack prefix or user id, naming the field", () => {
    expect(leftOf(decodePolicy({ ...raw, stackPrefix: "fd-x" }))[0]).to.match(
      /^stackPrefix must be a stack prefix/,
    );
    expect(leftOf(decodePolicy({ ...raw, users: { "bad user": {} } })).join()).to.match(
      /^users\.bad user must be an IAM user name/,
    );
    expect(leftOf(decodePolicy({ ...raw, limits: { maxSpotPrice: "cheap" } }))[0]).to.match(
      /^limits.maxSpotPrice must be a price/,
    );
  });
});
