import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { Construct } from "constructs";
import { SWEEP_INTERVAL_MINUTES } from "../../functions/shared/cluster-lifetime.js";
import { invokeFromRule } from "./rule-invocation.js";

/**
 * How often the lifetime sweep runs. An expired cluster lives at most this
 * much past its expiry; the warning comes an hour before, so several sweeps
 * fall inside it.
 */
const SWEEP_SCHEDULE = `rate(${SWEEP_INTERVAL_MINUTES} minutes)`;

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
 * Lambda permission for exactly this rule. EventBridge does not retry a tick
 * it could not deliver (the next tick does the same work); it parks it in
 * the dead-letter queue.
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
    invokeFromRule(this, {
      rule: this.rule,
      target: props.target,
      deadLetterQueueArn: props.deadLetterQueueArn,
      // A missed tick is made up by the next one; never queue stale sweeps.
      retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 900 },
    });
  }
}
