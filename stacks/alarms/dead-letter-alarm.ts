import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic/index.js";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription/index.js";
import { Construct } from "constructs";

/** Properties of the {@link DeadLetterAlarm}. */
export interface DeadLetterAlarmProps {
  readonly alarmName: string;
  readonly topicName: string;
  /** The dead-letter queue's name, the alarm's metric dimension. */
  readonly queueName: string;
  /** Who is emailed; without one the topic has no subscriber until an admin adds one. */
  readonly email?: string | undefined;
}

/** Seconds per evaluation period: SQS sends its metrics to CloudWatch every five minutes. */
const PERIOD_SECONDS = 300;

/**
 * Tells the admin when an event is waiting in the dead-letter queue: any
 * message there is a trigger or a stack outcome a handler gave up on, which
 * `flightdeck admin redrive` replays once the cause is fixed. The alarm
 * emails through an SNS topic. The topic uses no KMS key: CloudWatch cannot
 * publish to a topic encrypted with the AWS managed SNS key, and the
 * message holds no more than the queue's name and depth.
 */
export class DeadLetterAlarm extends Construct {
  readonly topic: SnsTopic;
  readonly alarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: DeadLetterAlarmProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, "topic", { name: props.topicName });
    if (props.email !== undefined) {
      // SNS mails a confirmation link first; nothing is delivered until it is followed.
      new SnsTopicSubscription(this, "email", {
        topicArn: this.topic.arn,
        protocol: "email",
        endpoint: props.email,
      });
    }
    this.alarm = new CloudwatchMetricAlarm(this, "alarm", {
      alarmName: props.alarmName,
      alarmDescription:
        "FlightDeck: events are waiting in the handlers' dead-letter queue. Fix the cause (see the functions' logs), then run `flightdeck admin redrive`.",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: props.queueName },
      statistic: "Maximum",
      period: PERIOD_SECONDS,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [this.topic.arn],
      okActions: [this.topic.arn],
    });
  }
}
