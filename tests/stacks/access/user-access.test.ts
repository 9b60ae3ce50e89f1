import { expect } from "chai";
import { Testing } from "cdktf";
import { UserAccess } from "../../../stacks/access/user-access.js";
import type { Identity } from "../../../stacks/settings/identity-settings.js";
import { FIXTURE_SCOPE, resourcesOf, synthScope } from "../support/synth.js";

/** The users' access alone, synthesized for `identity` with `iamUsers` in the group. */
const synthAccess = (identity: Identity, iamUsers: readonly string[]) =>
  synthScope((scope) => {
    new UserAccess(scope, "access", {
      scope: FIXTURE_SCOPE,
      userBucket: "fd-users",
      groupName: "fd-users",
      policyName: "fd-user-access",
      identity,
      iamUsers,
    });
  });

describe("UserAccess", () => {
  const synthesized = synthAccess({ source: "iam-user" }, ["alice", "bob.smith"]);

  it("creates the managed policy and the group it is attached to", () => {
    expect(
      Testing.toHaveResourceWithProperties(synthesized, "aws_iam_policy", {
        name: "fd-user-access",
      }),
    ).to.equal(true);
    expect(
      Testing.toHaveResourceWithProperties(synthesized, "aws_iam_group", { name: "fd-users" }),
    ).to.equal(true);
    expect(Testing.toHaveResource(synthesized, "aws_iam_group_policy_attachment")).to.equal(true);
  });

  it("escapes IAM's ${aws:username} so Terraform passes it through", () => {
    const policy = String(Object.values(resourcesOf(synthesized, "aws_iam_policy"))[0]?.["policy"]);
    expect(policy).to.include("home/$${aws:username}/*");
    expect(policy).not.to.match(/[^$]\$\{aws:username\}/);
  });

  it("adds each listed IAM user to the group without touching their other groups", () => {
    const memberships = Object.values(resourcesOf(synthesized, "aws_iam_user_group_membership"));
    expect(memberships.map((m) => m["user"]).sort()).to.deep.equal(["alice", "bob.smith"]);
    expect(Testing.toHaveResource(synthesized, "aws_iam_group_membership")).to.equal(false);
  });

  it("adds nobody when no IAM users are listed", () => {
    const none = synthAccess({ source: "iam-user" }, []);
    expect(Testing.toHaveResource(none, "aws_iam_user_group_membership")).to.equal(false);
  });

  describe("with a session-tag identity (IAM Identity Center)", () => {
    const tagged = synthAccess({ source: "principal-tag", tag: "flightdeck-user" }, []);

    it("creates the managed policy for a permission set, and no group", () => {
      expect(
        Testing.toHaveResourceWithProperties(tagged, "aws_iam_policy", { name: "fd-user-access" }),
      ).to.equal(true);
      expect(Testing.toHaveResource(tagged, "aws_iam_group")).to.equal(false);
      expect(Testing.toHaveResource(tagged, "aws_iam_group_policy_attachment")).to.equal(false);
    });

    it("names the home by the session tag, escaped so Terraform passes it through", () => {
      const policy = String(Object.values(resourcesOf(tagged, "aws_iam_policy"))[0]?.["policy"]);
      expect(policy).to.include("home/$${aws:PrincipalTag/flightdeck-user}/*");
      expect(policy).not.to.include("aws:username");
    });
  });
});
