import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter/index.js";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { UserId } from "../../functions/shared/identifiers.js";
import { encodeUser } from "../../functions/shared/stack-name.js";

/** Properties of {@link RefusedRequestsAlarm}. */
export interface RefusedRequestsAlarmProps {
  readonly deployment: string;
  /** The handlers' log groups, whose lines of refused requests are counted. */
  readonly logGroupNames: readonly string[];
  /** Each user gets an alarm of their own, named after them. */
  readonly users: readonly UserId[];
  /** Refused requests in five minutes at which a user's alarm goes off. */
  readonly threshold: number;
  readonly topicArn: string;
  /** The log groups, which must exist before a filter can be put on them. */
  readonly dependsOn: readonly ITerraformDependable[];
}

const PERIOD_SECONDS = 300;

/**
 * Counts each user's refused requests (over their rate, malformed, refused
 * by their limits) from the handlers' own log lines, which carry the user
 * and `requestRefused` (functions/shared/runtime/request-admission.ts), and
 * alarms, by name, for a user past the threshold: a flood, or a script
 * gone wrong. docs/admin-guide.md ("Cutting a user off") says how to cut such a user off.
 */
export class RefusedRequestsAlarm extends Construct {
  /** The metric's namespace and name, one series per user (dimension `User`). */
  readonly namespace: string;
  static readonly METRIC = "RefusedRequests";

  constructor(scope: Construct, id: string, props: RefusedRequestsAlarmProps) {
    super(scope, id);
    this.namespace = `FlightDeck/${props.deployment}`;
    props.logGroupNames.forEach((logGroupName, i) => {
      new CloudwatchLogMetricFilter(this, `filter-${i}`, {
        name: `${props.deployment}-refused-requests`,
        logGroupName,
        pattern: "{ $.requestRefused IS TRUE }",
        metricTransformation: {
          name: RefusedRequestsAlarm.METRIC,
          namespace: this.namespace,
          value: "1",
          dimensions: { User: "$.user" },
        },
        dependsOn: [...props.dependsOn],
      });
    });
    for (const user of props.users) {
      new CloudwatchMetricAlarm(this, `alarm-${encodeUser(user)}`, {
        alarmName: `${props.deployment}-refused-requests-${encodeUser(user)}`,
        alarmDescription: `FlightDeck: user ${user} had ${props.threshold} or more requests refused within 5 minutes (a flood, or a script gone wrong). See docs/admin-guide.md, "Cutting a user off".`,
        namespace: this.namespace,
        metricName: RefusedRequestsAlarm.METRIC,
        dimensions: { User: user },
        statistic: "Sum",
        period: PERIOD_SECONDS,
        evaluationPeriods: 1,
        threshold: props.threshold,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [props.topicArn],
      });
    }
  }
}
