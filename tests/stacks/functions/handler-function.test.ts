import { expect } from "chai";
import { Testing } from "cdktf";
import { HandlerFunction } from "../../../stacks/functions/handler-function.js";
import {
  FIXTURE_BUNDLES_DIR,
  onlyResource,
  synthScope,
  unescapeTerraform,
} from "../support/synth.js";

describe("HandlerFunction", () => {
  const synthesized = synthScope((scope) => {
    new HandlerFunction(scope, "create", {
      functionName: "fd-cf-create",
      bundleDir: `${FIXTURE_BUNDLES_DIR}/cf-create`,
      environment: { FD_USER_BUCKET: "fd-users", FD_NOTIFY_FROM: undefined },
      statements: [
        {
          Sid: "ListStacks",
          Effect: "Allow",
          Action: ["cloudformation:ListStacks"],
          Resource: "*",
        },
      ],
      deadLetterQueueArn: "arn:aws:sqs:eu-west-2:123456789012:fd-failures",
      logRetentionDays: 14,
      memorySize: 256,
      timeout: 60,
    });
  });

  it("runs the bundle's index.handler on Node.js 22", () => {
    expect(
      Testing.toHaveResourceWithProperties(synthesized, "aws_lambda_function", {
        function_name: "fd-cf-create",
        runtime: "nodejs22.x",
        handler: "index.handler",
        memory_size: 256,
        timeout: 60,
      }),
    ).to.equal(true);
  });

  it("packages the bundle as an asset zip, redeployed only when its content changes", () => {
    const lambda = onlyResource(synthesized, "aws_lambda_function");
    expect(String(lambda["filename"])).to.match(
      /^assets\/create_bundle_[0-9A-F]+\/[0-9A-F]+\/cf-create\.zip$/,
    );
    expect(String(lambda["source_code_hash"])).to.match(/^[0-9A-F]{32}$/);
  });

  it("sets exactly the environment given, leaving out unset variables", () => {
    const lambda = onlyResource(synthesized, "aws_lambda_function");
    expect(lambda["environment"]).to.deep.equal({ variables: { FD_USER_BUCKET: "fd-users" } });
  });

  it("has its own role, trusted by Lambda, with only the statements given", () => {
    const role = onlyResource(synthesized, "aws_iam_role");
    expect(role["name"]).to.equal("fd-cf-create");
    expect(JSON.parse(String(role["assume_role_policy"])).Statement[0].Principal).to.deep.equal({
      Service: "lambda.amazonaws.com",
    });
    const policy = JSON.parse(
      unescapeTerraform(String(onlyResource(synthesized, "aws_iam_role_policy")["policy"])),
    );
    expect(policy.Statement).to.deep.equal([
      { Sid: "ListStacks", Effect: "Allow", Action: ["cloudformation:ListStacks"], Resource: "*" },
    ]);
  });

  it("owns its log group, /aws/lambda/<name>, with a retention", () => {
    expect(
      Testing.toHaveResourceWithProperties(synthesized, "aws_cloudwatch_log_group", {
        name: "/aws/lambda/fd-cf-create",
        retention_in_days: 14,
      }),
    ).to.equal(true);
  });

  it("is created only after its permissions and log group exist", () => {
    const dependsOn = onlyResource(synthesized, "aws_lambda_function")["depends_on"] as string[];
    expect(dependsOn.map((d) => d.split(".")[0]).sort()).to.deep.equal([
      "aws_cloudwatch_log_group",
      "aws_iam_role_policy",
    ]);
  });

  it("retries a failed event twice, then sends it to the dead-letter queue", () => {
    expect(
      Testing.toHaveResourceWithProperties(synthesized, "aws_lambda_function_event_invoke_config", {
        maximum_retry_attempts: 2,
        destination_config: {
          on_failure: { destination: "arn:aws:sqs:eu-west-2:123456789012:fd-failures" },
        },
      }),
    ).to.equal(true);
  });
});
