import { expect } from "chai";
import { ACCOUNT, decide, identityPolicy } from "../support/policies.js";
import { synthFlightDeck } from "../support/synth.js";

/*
 * The users' policy, as synthesized into the stack, under IAM's own rules:
 * each case is a request alice (or bob) might make.
 */
describe("the users' access policy (simulated)", () => {
  const policy = identityPolicy(synthFlightDeck(), "fdtest-user-access");
  const users = "arn:aws:s3:::fdtest-users-123456789012-eu-west-2";
  const customizer = "arn:aws:s3:::fdtest-customizer-123456789012-eu-west-2";
  const as = (
    user: string,
    action: string,
    resource: string,
    context: Record<string, string> = {},
  ) =>
    decide(policy, {
      principal: `arn:aws:iam::${ACCOUNT}:user/${user}`,
      action,
      resource,
      context: { "aws:username": user, ...context },
    });

  it("lets alice put home/alice/c1.cf-create", async () => {
    expect(await as("alice", "s3:PutObject", `${users}/home/alice/c1.cf-create`)).to.equal(
      "Allowed",
    );
  });

  it("lets alice read and delete her own files", async () => {
    expect(await as("alice", "s3:GetObject", `${users}/home/alice/c1.cf-created`)).to.equal(
      "Allowed",
    );
    expect(await as("alice", "s3:DeleteObject", `${users}/home/alice/c1.cf-failed`)).to.equal(
      "Allowed",
    );
  });

  it("lets alice list home/alice/, recursively too", async () => {
    expect(
      await as("alice", "s3:ListBucket", users, {
        "s3:prefix": "home/alice/",
        "s3:delimiter": "/",
      }),
    ).to.equal("Allowed");
    expect(await as("alice", "s3:ListBucket", users, { "s3:prefix": "home/alice/" })).to.equal(
      "Allowed",
    );
  });

  it("lets alice list the bucket root and home/ by folder", async () => {
    expect(
      await as("alice", "s3:ListBucket", users, { "s3:prefix": "", "s3:delimiter": "/" }),
    ).to.equal("Allowed");
    expect(
      await as("alice", "s3:ListBucket", users, { "s3:prefix": "home/", "s3:delimiter": "/" }),
    ).to.equal("Allowed");
  });

  it("does not let alice list home/ without a delimiter, which would show everyone's files", async () => {
    expect(await as("alice", "s3:ListBucket", users, { "s3:prefix": "home/" })).to.equal(
      "ImplicitlyDenied",
    );
  });

  it("does not let alice list home/bob/", async () => {
    expect(
      await as("alice", "s3:ListBucket", users, { "s3:prefix": "home/bob/", "s3:delimiter": "/" }),
    ).to.equal("ImplicitlyDenied");
  });

  it("does not let alice read, write or delete in home/bob/", async () => {
    expect(await as("alice", "s3:GetObject", `${users}/home/bob/c1.cf-created`)).to.equal(
      "ImplicitlyDenied",
    );
    expect(await as("alice", "s3:PutObject", `${users}/home/bob/c1.cf-create`)).to.equal(
      "ImplicitlyDenied",
    );
    expect(await as("alice", "s3:DeleteObject", `${users}/home/bob/c1.cf-create`)).to.equal(
      "ImplicitlyDenied",
    );
  });

  it("does not let alice write outside home/ or into a folder merely starting with her name", async () => {
    expect(await as("alice", "s3:PutObject", `${users}/c1.cf-create`)).to.equal("ImplicitlyDenied");
    expect(await as("alice", "s3:PutObject", `${users}/home/alice2/c1.cf-create`)).to.equal(
      "ImplicitlyDenied",
    );
  });

  it("gives bob the same rights in his own home and none in alice's", async () => {
    expect(await as("bob", "s3:PutObject", `${users}/home/bob/c2.cf-delete`)).to.equal("Allowed");
    expect(await as("bob", "s3:GetObject", `${users}/home/alice/c1.cf-create`)).to.equal(
      "ImplicitlyDenied",
    );
  });

  it("does not let alice touch the customizer bucket", async () => {
    expect(
      await as("alice", "s3:ListBucket", customizer, { "s3:prefix": "customizer/alice/" }),
    ).to.equal("ImplicitlyDenied");
    expect(
      await as("alice", "s3:GetObject", `${customizer}/customizer/alice/configure.d/user.sh`),
    ).to.equal("ImplicitlyDenied");
    expect(
      await as("alice", "s3:PutObject", `${customizer}/customizer/alice/configure.d/user.sh`),
    ).to.equal("ImplicitlyDenied");
  });

  it("does not let alice create stacks or run instances herself", async () => {
    expect(
      await as(
        "alice",
        "cloudformation:CreateStack",
        `arn:aws:cloudformation:eu-west-2:${ACCOUNT}:stack/fd-alice-c1/x`,
      ),
    ).to.equal("ImplicitlyDenied");
    expect(
      await as("alice", "ec2:RunInstances", `arn:aws:ec2:eu-west-2:${ACCOUNT}:instance/i-1`),
    ).to.equal("ImplicitlyDenied");
  });
});
