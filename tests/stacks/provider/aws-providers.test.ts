import { expect } from "chai";
import { Testing } from "cdktf";
import { AwsProviders } from "../../../stacks/provider/aws-providers.js";
import { synthScope } from "../support/synth.js";

describe("AwsProviders", () => {
  const synthesized = synthScope((scope) => {
    const providers = new AwsProviders(scope, "aws", {
      region: "eu-west-2",
      accountId: "123456789012",
      tags: { Project: "hpc" },
    });
    providers.forRegion("eu-west-2");
    providers.forRegion("us-east-1");
    providers.forRegion("us-east-1");
  });
  const config = JSON.parse(synthesized) as {
    provider: { aws: Array<Record<string, unknown>> };
    variable: Record<string, Record<string, unknown>>;
  };

  it("configures the deployment's region, plus one aliased provider per other region asked for", () => {
    expect(config.provider.aws.map((p) => [p["region"], p["alias"]])).to.deep.equal([
      ["eu-west-2", undefined],
      ["us-east-1", "us_east_1"],
    ]);
  });

  it("tags every resource", () => {
    expect(
      Testing.toHaveProviderWithProperties(synthesized, "aws", {
        default_tags: [{ tags: { Project: "hpc" } }],
      }),
    ).to.equal(true);
  });

  it("skips credential and account checks only when offline_plan is set", () => {
    expect(config.variable["offline_plan"]).to.deep.include({ type: "bool", default: false });
    expect(config.provider.aws[0]).to.deep.include({
      skip_credentials_validation: "${var.offline_plan}",
      skip_requesting_account_id: "${var.offline_plan}",
      skip_metadata_api_check: "${var.offline_plan}",
      allowed_account_ids: '${var.offline_plan ? null : ["123456789012"]}',
    });
  });

  it("reads nothing from AWS: no data sources at all", () => {
    expect(JSON.parse(synthesized).data).to.equal(undefined);
  });
});
