import { expect } from "chai";
import { Testing } from "cdktf";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { CREATE_OUTCOME_STATUSES } from "../../../functions/shared/stack-status-event.js";
import { arnScope } from "../../../stacks/iam/arns.js";
import { StackStatusRule, stackStatusPattern } from "../../../stacks/triggers/stack-status-rule.js";
import { FIXTURE_SCOPE, onlyResource, synthScope } from "../support/synth.js";

describe("StackStatusRule", () => {
  const synthesized = synthScope((scope) => {
    new StackStatusRule(scope, "created", {
      scope: FIXTURE_SCOPE,
      ruleName: "fd-created",
      description: "test",
      stackPrefix: "fd",
      statuses: CREATE_OUTCOME_STATUSES,
      target: new LambdaFunction(scope, "fn", {
        functionName: "fd-cf-create",
        role: "arn:aws:iam::1:role/r",
      }),
      deadLetterQueueArn: "arn:aws:sqs:eu-west-2:123456789012:fd-failures",
    });
  });

  it("matches only final statuses of stacks named <prefix>-… in the region and account", () => {
    const pattern = JSON.parse(
      String(onlyResource(synthesized, "aws_cloudwatch_event_rule")["event_pattern"]),
    );
    expect(pattern).to.deep.equal({
      source: ["aws.cloudformation"],
      "detail-type": ["CloudFormation Stack Status Change"],
      account: ["123456789012"],
      detail: {
        "stack-id": [{ wildcard: "arn:aws:cloudformation:eu-west-2:123456789012:stack/fd-*" }],
        "status-details": {
          status: ["CREATE_COMPLETE", "CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED"],
        },
      },
    });
  });

  it("uses * for the account when the settings name none", () => {
    const pattern = stackStatusPattern(arnScope({ region: "eu-west-2" }), "fd", [
      "DELETE_COMPLETE",
    ]);
    expect(pattern["account"]).to.equal(undefined);
    expect(JSON.stringify(pattern)).to.include('"arn:aws:cloudformation:eu-west-2:*:stack/fd-*"');
  });

  it("targets the function, parking undeliverable events in the dead-letter queue", () => {
    expect(
      Testing.toHaveResourceWithProperties(synthesized, "aws_cloudwatch_event_target", {
        arn: "${aws_lambda_function.fn.arn}",
        dead_letter_config: { arn: "arn:aws:sqs:eu-west-2:123456789012:fd-failures" },
      }),
    ).to.equal(true);
  });

  it("lets EventBridge invoke the function for this rule only", () => {
    const permission = onlyResource(synthesized, "aws_lambda_permission");
    expect(permission["principal"]).to.equal("events.amazonaws.com");
    expect(permission["function_name"]).to.equal("${aws_lambda_function.fn.function_name}");
    expect(String(permission["source_arn"])).to.match(
      /^\$\{aws_cloudwatch_event_rule\.created_rule_[0-9A-F]+\.arn\}$/,
    );
  });
});
