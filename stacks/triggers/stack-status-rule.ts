import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { Construct } from "constructs";
import { escapeTerraformTemplate } from "../iam/policy-document.js";
import { regionalArn, type ArnScope } from "../iam/arns.js";
import { invokeFromRule } from "./rule-invocation.js";

/**
 * The EventBridge pattern for final status changes of FlightDeck's stacks:
 * only stacks named `<prefix>-…` in the deployment's region (and account,
 * when known) and only the given statuses.
 */
export function stackStatusPattern(
  scope: ArnScope,
  stackPrefix: string,
  statuses: readonly string[],
): Record<string, unknown> {
  return {
    source: ["aws.cloudformation"],
    "detail-type": ["CloudFormation Stack Status Change"],
    ...(scope.account === "*" ? {} : { account: [scope.account] }),
    detail: {
      "stack-id": [{ wildcard: regionalArn(scope, "cloudformation", `stack/${stackPrefix}-*`) }],
      "status-details": { status: [...statuses] },
    },
  };
}

/** Properties of a {@link StackStatusRule}. */
export interface StackStatusRuleProps {
  readonly scope: ArnScope;
  readonly ruleName: string;
  readonly description: string;
  readonly stackPrefix: string;
  readonly statuses: readonly string[];
  readonly target: LambdaFunction;
  /** Where EventBridge parks an event it could not deliver. */
  readonly deadLetterQueueArn: string;
}

/**
 * A rule on the default bus that sends a FlightDeck stack's final statuses to
 * one handler, with the Lambda permission for exactly this rule.
 */
export class StackStatusRule extends Construct {
  readonly rule: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: StackStatusRuleProps) {
    super(scope, id);
    this.rule = new CloudwatchEventRule(this, "rule", {
      name: props.ruleName,
      description: props.description,
      eventPattern: escapeTerraformTemplate(
        JSON.stringify(stackStatusPattern(props.scope, props.stackPrefix, props.statuses)),
      ),
    });
    invokeFromRule(this, {
      rule: this.rule,
      target: props.target,
      deadLetterQueueArn: props.deadLetterQueueArn,
    });
  }
}
