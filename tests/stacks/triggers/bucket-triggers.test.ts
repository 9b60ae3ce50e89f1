import { expect } from "chai";
import { Testing } from "cdktf";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { BucketTriggers } from "../../../stacks/triggers/bucket-triggers.js";
import { resourcesOf, synthScope } from "../support/synth.js";

describe("BucketTriggers", () => {
  const build = (accountId?: string) =>
    synthScope((scope) => {
      const lambda = (name: string) =>
        new LambdaFunction(scope, name, {
          functionName: name,
          role: "arn:aws:iam::123456789012:role/r",
        });
      new BucketTriggers(scope, "triggers", {
        bucketId: "fd-users",
        bucketArn: "arn:aws:s3:::fd-users",
        accountId,
        handlers: { create: lambda("fd-cf-create"), delete: lambda("fd-cf-delete") },
      });
    });
  const synthesized = build("123456789012");

  it("sends new home/….cf-create objects to cf-create, ….cf-delete and ….cf-extend to cf-delete", () => {
    const notification = Object.values(resourcesOf(synthesized, "aws_s3_bucket_notification"))[0];
    const targets = (notification?.["lambda_function"] as Array<Record<string, unknown>>).map(
      (t) => ({
        events: t["events"],
        prefix: t["filter_prefix"],
        suffix: t["filter_suffix"],
        arn: t["lambda_function_arn"],
      }),
    );
    expect(targets).to.have.deep.members([
      {
        events: ["s3:ObjectCreated:*"],
        prefix: "home/",
        suffix: ".cf-create",
        arn: "${aws_lambda_function.fd-cf-create.arn}",
      },
      {
        events: ["s3:ObjectCreated:*"],
        prefix: "home/",
        suffix: ".cf-delete",
        arn: "${aws_lambda_function.fd-cf-delete.arn}",
      },
      {
        events: ["s3:ObjectCreated:*"],
        prefix: "home/",
        suffix: ".cf-extend",
        arn: "${aws_lambda_function.fd-cf-delete.arn}",
      },
    ]);
  });

  it("lets only this bucket in this account invoke each function", () => {
    for (const name of ["fd-cf-create", "fd-cf-delete"]) {
      expect(
        Testing.toHaveResourceWithProperties(synthesized, "aws_lambda_permission", {
          action: "lambda:InvokeFunction",
          function_name: `\${aws_lambda_function.${name}.function_name}`,
          principal: "s3.amazonaws.com",
          source_arn: "arn:aws:s3:::fd-users",
          source_account: "123456789012",
        }),
      ).to.equal(true);
    }
  });

  it("takes the account from the function's own ARN when the settings name none", () => {
    const permissions = Object.values(resourcesOf(build(undefined), "aws_lambda_permission"));
    expect(permissions.map((p) => p["source_account"]).sort()).to.deep.equal([
      '${element(split(":", aws_lambda_function.fd-cf-create.arn), 4)}',
      '${element(split(":", aws_lambda_function.fd-cf-delete.arn), 4)}',
    ]);
  });

  it("configures the notification only once S3 may invoke the functions", () => {
    const notification = Object.values(resourcesOf(synthesized, "aws_s3_bucket_notification"))[0];
    expect(
      (notification?.["depends_on"] as string[]).every((d) =>
        d.startsWith("aws_lambda_permission."),
      ),
    ).to.equal(true);
  });
});
