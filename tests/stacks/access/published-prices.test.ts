import { expect } from "chai";
import { ACCOUNT, decide, identityPolicy } from "../support/policies.js";
import { synthFlightDeck } from "../support/synth.js";

/*
 * The price book FlightDeck publishes in the users' bucket: every user may
 * read it (their `flightdeck` prices clusters with it) and nothing else
 * outside their home; no user may change it.
 */
describe("the users' access to the published prices (simulated)", () => {
  const users = "arn:aws:s3:::fdtest-users-123456789012-eu-west-2";
  const iam = identityPolicy(synthFlightDeck(), "fdtest-user-access");
  const TAG = "flightdeck-user";
  const sso = identityPolicy(
    synthFlightDeck((settings) => ({
      ...settings,
      identity: { source: "principal-tag", tag: TAG },
      iamUsers: [],
    })),
    "fdtest-user-access",
  );
  const asAlice = (action: string, resource: string) =>
    decide(iam, {
      principal: `arn:aws:iam::${ACCOUNT}:user/alice`,
      action,
      resource,
      context: { "aws:username": "alice" },
    });

  it("lets a user read the price book, and only that outside their home", async () => {
    expect(await asAlice("s3:GetObject", `${users}/flightdeck/prices.json`)).to.equal("Allowed");
    expect(await asAlice("s3:GetObject", `${users}/flightdeck/other.json`)).to.equal(
      "ImplicitlyDenied",
    );
    for (const action of ["s3:PutObject", "s3:DeleteObject"])
      expect(await asAlice(action, `${users}/flightdeck/prices.json`), action).to.equal(
        "ImplicitlyDenied",
      );
  });

  it("lets an SSO session with its tag read it, and one without none", async () => {
    const session = (tag: string | undefined) =>
      decide(sso, {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Users_0123/${tag ?? "x"}`,
        action: "s3:GetObject",
        resource: `${users}/flightdeck/prices.json`,
        context: tag === undefined ? {} : { [`aws:PrincipalTag/${TAG}`]: tag },
      });
    expect(await session("alice")).to.equal("Allowed");
    expect(await session(undefined)).to.equal("ExplicitlyDenied");
  });
});
