import type { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js";
import {
  CloudwatchEventTarget,
  type CloudwatchEventTargetRetryPolicy,
} from "@cdktf/provider-aws/lib/cloudwatch-event-target/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission/index.js";
import type { Construct } from "constructs";

/** How an EventBridge rule invokes one of FlightDeck's functions. */
export interface RuleInvocation {
  readonly rule: CloudwatchEventRule;
  readonly target: LambdaFunction;
  /** Where EventBridge parks an event it could not deliver. */
  readonly deadLetterQueueArn: string;
  readonly retryPolicy?: CloudwatchEventTargetRetryPolicy;
}

/**
 * The Lambda permission for exactly this rule, and the rule's target (created
 * after the permission, so the first event is never refused), as `allow` and
 * `target` under `scope`.
 */
export function invokeFromRule(scope: Construct, invocation: RuleInvocation): void {
  const permission = new LambdaPermission(scope, "allow", {
    action: "lambda:InvokeFunction",
    functionName: invocation.target.functionName,
    principal: "events.amazonaws.com",
    sourceArn: invocation.rule.arn,
  });
  new CloudwatchEventTarget(scope, "target", {
    rule: invocation.rule.name,
    arn: invocation.target.arn,
    ...(invocation.retryPolicy === undefined ? {} : { retryPolicy: invocation.retryPolicy }),
    deadLetterConfig: { arn: invocation.deadLetterQueueArn },
    dependsOn: [permission],
  });
}
