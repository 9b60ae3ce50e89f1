import { expect } from "chai";
import { ACCOUNT, decide, identityPolicy } from "../support/policies.js";
import { synthFlightDeck } from "../support/synth.js";

/*
 * The users' policy under a session-tag identity (IAM Identity Center with
 * attributes for access control), as synthesized, under IAM's own rules. The
 * caller is an assumed-role session of the permission set's role: IAM gives
 * it no aws:username, only the tag, so only the tag tells users apart.
 */
describe("the users' access policy with a session-tag identity (simulated)", () => {
  const TAG = "flightdeck-user";
  const synthesized = synthFlightDeck((settings) => ({
    ...settings,
    identity: { source: "principal-tag", tag: TAG },
    iamUsers: [],
  }));
  const policy = identityPolicy(synthesized, "fdtest-user-access");
  const users = "arn:aws:s3:::fdtest-users-123456789012-eu-west-2";
  const customizer = "arn:aws:s3:::fdtest-customizer-123456789012-eu-west-2";
  const role = "AWSReservedSSO_FlightDeckUsers_0123456789abcdef";
  /** A request from an SSO session; `tag` undefined means the session carries no tag. */
  const as = (
    tag: string | undefined,
    action: string,
    resource: string,
    context: Record<string, string> = {},
  ) =>
    decide(policy, {
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${tag ?? "someone"}`,
      action,
      resource,
      context: { ...(tag === undefined ? {} : { [`aws:PrincipalTag/${TAG}`]: tag }), ...context },
    });
  const alice = "alice@example.com";

  it("lets alice put, read and delete in her own home", async () => {
    for (const action of ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]) {
      expect(await as(alice, action, `${users}/home/${alice}/c1.cf-create`), action).to.equal(
        "Allowed",
      );
    }
  });

  it("lets alice list her own home and browse to it", async () => {
    expect(await as(alice, "s3:ListBucket", users, { "s3:prefix": `home/${alice}/` })).to.equal(
      "Allowed",
    );
    expect(
      await as(alice, "s3:ListBucket", users, { "s3:prefix": "home/", "s3:delimiter": "/" }),
    ).to.equal("Allowed");
  });

  it("does not let alice into bob's home, nor into a folder merely starting with her name", async () => {
    const bob = "Bob.Jones";
    expect(await as(alice, "s3:GetObject", `${users}/home/${bob}/c1.cf-created`)).to.equal(
      "ImplicitlyDenied",
    );
    expect(await as(alice, "s3:PutObject", `${users}/home/${bob}/c1.cf-create`)).to.equal(
      "ImplicitlyDenied",
    );
    expect(
      await as(alice, "s3:ListBucket", users, { "s3:prefix": `home/${bob}/`, "s3:delimiter": "/" }),
    ).to.equal("ImplicitlyDenied");
    expect(await as(alice, "s3:PutObject", `${users}/home/${alice}2/c1.cf-create`)).to.equal(
      "ImplicitlyDenied",
    );
    expect(await as(bob, "s3:PutObject", `${users}/home/${bob}/c1.cf-create`)).to.equal("Allowed");
  });

  it("gives a session without the tag nothing at all, not even the folder names", async () => {
    const requests: Array<[string, string, Record<string, string>?]> = [
      ["s3:ListBucket", users, { "s3:prefix": "", "s3:delimiter": "/" }],
      ["s3:ListBucket", users, { "s3:prefix": "home/", "s3:delimiter": "/" }],
      ["s3:ListBucket", users, { "s3:prefix": "home/someone/" }],
      ["s3:GetObject", `${users}/home/someone/c1.cf-created`],
      ["s3:PutObject", `${users}/home/someone/c1.cf-create`],
      ["s3:PutObject", `${users}/home//c1.cf-create`],
      ["s3:DeleteObject", `${users}/home/alice@example.com/c1.cf-created`],
    ];
    for (const [action, resource, context] of requests) {
      expect(await as(undefined, action, resource, context), `${action} ${resource}`).to.equal(
        "ExplicitlyDenied",
      );
    }
  });

  it("gives a session whose tag is empty or holds a / nothing either", async () => {
    expect(await as("", "s3:PutObject", `${users}/home//c1.cf-create`)).to.equal(
      "ExplicitlyDenied",
    );
    // "alice@example.com/x" would otherwise name a folder inside alice's home.
    expect(
      await as(`${alice}/x`, "s3:PutObject", `${users}/home/${alice}/x/c1.cf-create`),
    ).to.equal("ExplicitlyDenied");
  });

  it("does not let alice touch the customizer bucket or create stacks herself", async () => {
    expect(
      await as(alice, "s3:GetObject", `${customizer}/customizer/${alice}/configure.d/user.sh`),
    ).to.equal("ImplicitlyDenied");
    expect(
      await as(
        alice,
        "cloudformation:CreateStack",
        `arn:aws:cloudformation:eu-west-2:${ACCOUNT}:stack/fd-alice-c1/x`,
      ),
    ).to.equal("ImplicitlyDenied");
  });
});
