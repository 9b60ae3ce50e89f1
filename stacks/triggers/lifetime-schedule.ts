import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission/index.js";
import { Construct } from "constructs";

/**
 * How often the lifetime sweep runs. An expired cluster lives at most this
 * much past its expiry; the warning comes an hour before, so several sweeps
 * fall inside it.
 */
export const SWEEP_SCHEDULE = "rate(15 minutes)";

/** Properties of a {@link LifetimeSchedule}. */
export interface LifetimeScheduleProps {
  readonly ruleName: string;
  /** cf-delete: the sweep runs in it, so the deployment stays two functions. */
  readonly target: LambdaFunction;
  /** Where EventBridge parks a tick it could not deliver. */
  readonly deadLetterQueueArn: string;
}

/**
 * The schedule of the lifetime sweep: an EventBridge rule on the default bus
 * that sends its "Scheduled Event" to cf-delete every 15 minutes, with the
 * Lambda permission for exactly this rule. A tick that fails is not retried
 * by EventBridge beyond its default; the next tick does the same work.
 */
export class LifetimeSchedule extends Construct {
  readonly rule: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: LifetimeScheduleProps) {
    super(scope, id);
    this.rule = new CloudwatchEventRule(this, "rule", {
      name: props.ruleName,
      description: "FlightDeck: sweep clusters past their maximum lifetime, and warn their owners.",
      scheduleExpression: SWEEP_SCHEDULE,
    });
    const permission = new LambdaPermission(this, "allow", {
      action: "lambda:InvokeFunction",
      functionName: props.target.functionName,
      principal: "events.amazonaws.com",
      sourceArn: this.rule.arn,
    });
    new CloudwatchEventTarget(this, "target", {
      rule: this.rule.name,
      arn: props.target.arn,
      // A missed tick is made up by the next one; never queue stale sweeps.
      retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 900 },
      deadLetterConfig: { arn: props.deadLetterQueueArn },
      dependsOn: [permission],
    });
  }
}
