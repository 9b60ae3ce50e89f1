import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import {
  callerOfArn,
  resolveUser,
  sessionNameOfArn,
  userNameOfArn,
} from "../../cli/caller-identity.js";
import { IAM_NAMES } from "../support/iam-names.js";

describe("who the CLI acts for", () => {
  const client = new STSClient({
    region: "eu-west-2",
    credentials: { accessKeyId: "a", secretAccessKey: "s" },
  });
  const sts = mockClient(client);
  afterEach(() => sts.reset());
  after(() => sts.restore());
  const callerIs = (arn: string) => sts.on(GetCallerIdentityCommand).resolves({ Arn: arn });
  const failure = async (explicit: string | undefined) => {
    let message = "";
    await resolveUser(explicit, () => client).catch((e: Error) => (message = e.message));
    return message;
  };
  const sso = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_FlightDeckUsers_0a1b2c3d";

  it("reads the IAM user name out of a user ARN, path and all", () => {
    expect(userNameOfArn("arn:aws:iam::123456789012:user/alice")).to.equal("alice");
    expect(userNameOfArn("arn:aws:iam::123456789012:user/research/alice.smith")).to.equal(
      "alice.smith",
    );
    expect(userNameOfArn("arn:aws-us-gov:iam::123456789012:user/a+b=c,d")).to.equal("a+b=c,d");
    expect(userNameOfArn("arn:aws:sts::123456789012:assumed-role/admin/session")).to.equal(
      undefined,
    );
    expect(userNameOfArn("arn:aws:iam::123456789012:root")).to.equal(undefined);
  });

  it("reads the session name out of an assumed-role ARN", () => {
    expect(sessionNameOfArn(`${sso}/alice@example.com`)).to.equal("alice@example.com");
    expect(sessionNameOfArn("arn:aws:iam::123456789012:user/alice")).to.equal(undefined);
    expect(callerOfArn("arn:aws:iam::123456789012:root")).to.deep.equal({
      kind: "other",
      arn: "arn:aws:iam::123456789012:root",
    });
  });

  it("takes each IAM user name from STS exactly as IAM spells it", async () => {
    for (const name of Object.keys(IAM_NAMES)) {
      callerIs(`arn:aws:iam::123456789012:user/${name}`);
      expect(await resolveUser(undefined, () => client)).to.equal(name);
    }
  });

  it("takes an SSO user from the role session's name", async () => {
    callerIs(`${sso}/alice@example.com`);
    expect(await resolveUser(undefined, () => client)).to.equal("alice@example.com");
  });

  it("accepts --user or FLIGHTDECK_USER when it agrees with the IAM user", async () => {
    callerIs("arn:aws:iam::123456789012:user/Alice.Smith");
    expect(await resolveUser("Alice.Smith", () => client)).to.equal("Alice.Smith");
  });

  it("refuses an override that contradicts the IAM user, naming both", async () => {
    callerIs("arn:aws:iam::123456789012:user/alice");
    expect(await failure("bob")).to.equal(
      '--user/FLIGHTDECK_USER says "bob", but your credentials are IAM user "alice" (arn:aws:iam::123456789012:user/alice); drop the override or use that user\'s credentials.',
    );
    // Case matters: IAM's ${aws:username} is the name exactly as IAM spells it.
    callerIs("arn:aws:iam::123456789012:user/Alice.Smith");
    expect(await failure("alice.smith")).to.match(
      /says "alice.smith", but .* IAM user "Alice.Smith"/,
    );
  });

  it("lets an override name an SSO user's tag value, which the session name need not match", async () => {
    callerIs(`${sso}/asmith`);
    expect(await resolveUser("alice@example.com", () => client)).to.equal("alice@example.com");
  });

  it("uses the override as it is when STS cannot be asked", async () => {
    sts.on(GetCallerIdentityCommand).rejects(new Error("getaddrinfo ENOTFOUND"));
    expect(await resolveUser("bob", () => client)).to.equal("bob");
    expect(await failure(undefined)).to.equal(
      "Cannot tell who you are (getaddrinfo ENOTFOUND); pass --user or set FLIGHTDECK_USER.",
    );
  });

  it("explains what to do when the credentials are the account root's", async () => {
    callerIs("arn:aws:iam::123456789012:root");
    expect(await failure(undefined)).to.match(
      /are neither an IAM user's nor a role session's; pass --user or set FLIGHTDECK_USER/,
    );
  });

  it("refuses a user name IAM would not allow", async () => {
    callerIs(`${sso}/admin`);
    expect(await failure("no spaces")).to.equal('"no spaces" is not a valid IAM user name.');
  });
});
