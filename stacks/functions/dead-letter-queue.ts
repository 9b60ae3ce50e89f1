import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue/index.js";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy/index.js";
import { Construct } from "constructs";
import { regionalArn, type ArnScope } from "../iam/arns.js";
import {
  policyDocument,
  policyJson,
  type ResourcePolicyStatement,
} from "../iam/policy-document.js";

/** Properties of the {@link DeadLetterQueue}. */
export interface DeadLetterQueueProps {
  readonly queueName: string;
  readonly scope: ArnScope;
}

/** Seconds SQS keeps a message at most: 14 days, time for an admin to look. */
const MAX_RETENTION_SECONDS = 14 * 24 * 60 * 60;

/**
 * Where events go that the handlers could not process after their retries
 * (an upload after its third receive from its upload queue, a stack event
 * after Lambda's two retries), or that EventBridge could not deliver:
 * encrypted (SSE-SQS) and kept for 14 days, so no trigger or stack event is
 * lost silently. An upload keeps the age it had in its queue (SQS counts
 * from the first enqueue), which the upload queues' default 4 days leaves
 * 10 days of.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: SqsQueue;
  /** Built from the name, so IAM policies naming it are complete in the plan. */
  readonly queueArn: string;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queueArn = regionalArn(props.scope, "sqs", props.queueName);
    this.queue = new SqsQueue(this, "queue", {
      name: props.queueName,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: MAX_RETENTION_SECONDS,
    });
  }

  /**
   * Lets these EventBridge rules (and no other sender without IAM rights)
   * park events they could not deliver, over TLS only.
   */
  acceptUndeliveredEventsFrom(ruleArns: readonly string[]): void {
    new SqsQueuePolicy(this, "policy", {
      queueUrl: this.queue.url,
      policy: policyJson(
        policyDocument<ResourcePolicyStatement>([
          {
            Sid: "EventBridgeUndeliveredEvents",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: ["sqs:SendMessage"],
            Resource: [this.queue.arn],
            Condition: { ArnEquals: { "aws:SourceArn": [...ruleArns] } },
          },
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: ["sqs:DeleteMessage", "sqs:ReceiveMessage", "sqs:SendMessage"],
            Resource: [this.queue.arn],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ]),
      ),
    });
  }
}
