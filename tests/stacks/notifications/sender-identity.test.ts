import { expect } from "chai";
import { Testing } from "cdktf";
import { SenderIdentity } from "../../../stacks/notifications/sender-identity.js";
import { AwsProviders } from "../../../stacks/provider/aws-providers.js";
import { onlyResource, synthScope } from "../support/synth.js";

describe("SenderIdentity", () => {
  const synthesized = synthScope((scope) => {
    const providers = new AwsProviders(scope, "aws", { region: "eu-west-2", tags: {} });
    new SenderIdentity(scope, "sender", {
      senderEmail: "flightdeck@hpc.test",
      provider: providers.forRegion("eu-west-1"),
    });
  });

  it("registers the sender address with SES", () => {
    expect(
      Testing.toHaveResourceWithProperties(synthesized, "aws_ses_email_identity", {
        email: "flightdeck@hpc.test",
      }),
    ).to.equal(true);
  });

  it("creates it in the SES region, through that region's provider", () => {
    expect(onlyResource(synthesized, "aws_ses_email_identity")["provider"]).to.equal(
      "aws.eu_west_1",
    );
    expect(
      Testing.toHaveProviderWithProperties(synthesized, "aws", {
        alias: "eu_west_1",
        region: "eu-west-1",
      }),
    ).to.equal(true);
  });
});
