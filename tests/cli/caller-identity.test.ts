import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { resolveUser, userNameOfArn } from "../../cli/caller-identity.js";

describe("who the CLI acts for", () => {
  const client = new STSClient({
    region: "eu-west-2",
    credentials: { accessKeyId: "a", secretAccessKey: "s" },
  });
  const sts = mockClient(client);
  afterEach(() => sts.reset());
  after(() => sts.restore());

  it("reads the IAM user name out of a user ARN, path and all", () => {
    expect(userNameOfArn("arn:aws:iam::123456789012:user/alice")).to.equal("alice");
    expect(userNameOfArn("arn:aws:iam::123456789012:user/research/alice.smith")).to.equal(
      "alice.smith",
    );
    expect(userNameOfArn("arn:aws:sts::123456789012:assumed-role/admin/session")).to.equal(
      undefined,
    );
    expect(userNameOfArn("arn:aws:iam::123456789012:root")).to.equal(undefined);
  });

  it("prefers --user and FLIGHTDECK_USER over the caller identity", async () => {
    expect(await resolveUser("bob", () => client)).to.equal("bob");
    expect(sts.commandCalls(GetCallerIdentityCommand)).to.have.length(0);
  });

  it("asks STS when no user is given", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Arn: "arn:aws:iam::123456789012:user/alice" });
    expect(await resolveUser(undefined, () => client)).to.equal("alice");
  });

  it("explains what to do when the credentials are a role's", async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Arn: "arn:aws:sts::123456789012:assumed-role/admin/s" });
    let message = "";
    await resolveUser(undefined, () => client).catch((e: Error) => (message = e.message));
    expect(message).to.match(/are not an IAM user's; pass --user or set FLIGHTDECK_USER/);
  });

  it("refuses a user name IAM would not allow", async () => {
    let message = "";
    await resolveUser("no spaces", () => client).catch((e: Error) => (message = e.message));
    expect(message).to.equal('"no spaces" is not a valid IAM user name.');
  });
});
