import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue/index.js";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy/index.js";
import { Fn, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { regionalArn, type ArnScope } from "../iam/arns.js";
import {
  policyDocument,
  policyJson,
  type ResourcePolicyStatement,
} from "../iam/policy-document.js";
import { uploadConcurrency } from "../settings/upload-concurrency.js";

/**
 * Seconds an upload stays invisible while a function works on it: six times
 * the function's timeout, as AWS advises for event source mappings, so a
 * message is never handed out twice while its first run may still be going.
 */
const visibilityTimeoutFor = (functionTimeout: number) => 6 * functionTimeout;

/**
 * Receives after which an upload that keeps failing goes to the dead-letter
 * queue: its first run and two retries, as Lambda gives an event it invokes
 * asynchronously.
 */
export const MAX_RECEIVES = 3;

/** Properties of an {@link UploadQueue}. */
export interface UploadQueueProps {
  readonly queueName: string;
  readonly scope: ArnScope;
  /** The users' bucket, the only sender. */
  readonly bucketArn: string;
  /** The bucket's account; `undefined` takes it from the queue's ARN. */
  readonly accountId?: string;
  readonly deadLetterQueueArn: string;
  /** The function that works through the queue. */
  readonly target: LambdaFunction;
  /** The target's timeout in seconds. */
  readonly functionTimeout: number;
  /** The target's reserved concurrency; `undefined` when it has none. */
  readonly reservedConcurrency: number | undefined;
  /**
   * The target's permissions: Lambda checks, when the mapping is created,
   * that the function's role may receive from the queue.
   */
  readonly targetPermissions: ITerraformDependable;
}

/**
 * Where S3 puts the users' uploads for one function, and the event source
 * mapping that feeds them to it one at a time with at most
 * {@link uploadConcurrency} running at once. Encrypted (SSE-SQS); only the
 * users' bucket, in its own account, may send to it, and only over TLS; an
 * upload that fails {@link MAX_RECEIVES} times is parked in the dead-letter
 * queue.
 */
export class UploadQueue extends Construct {
  readonly queue: SqsQueue;
  /** Built from the name, so the function's policy naming it is complete in the plan. */
  readonly queueArn: string;
  readonly policy: SqsQueuePolicy;
  readonly maximumConcurrency: number;

  constructor(scope: Construct, id: string, props: UploadQueueProps) {
    super(scope, id);
    this.queueArn = regionalArn(props.scope, "sqs", props.queueName);
    this.maximumConcurrency = uploadConcurrency(props.reservedConcurrency);
    this.queue = new SqsQueue(this, "queue", {
      name: props.queueName,
      sqsManagedSseEnabled: true,
      visibilityTimeoutSeconds: visibilityTimeoutFor(props.functionTimeout),
      redrivePolicy: JSON.stringify({
        deadLetterTargetArn: props.deadLetterQueueArn,
        maxReceiveCount: MAX_RECEIVES,
      }),
    });
    this.policy = new SqsQueuePolicy(this, "policy", {
      queueUrl: this.queue.url,
      policy: policyJson(
        policyDocument<ResourcePolicyStatement>([
          {
            // A bucket name can be re-registered by another account once deleted;
            // pinning the account stops such a bucket from sending here.
            Sid: "UsersBucketUploads",
            Effect: "Allow",
            Principal: { Service: "s3.amazonaws.com" },
            Action: ["sqs:SendMessage"],
            Resource: [this.queueArn],
            Condition: {
              ArnEquals: { "aws:SourceArn": [props.bucketArn] },
              StringEquals: {
                "aws:SourceAccount": [
                  props.accountId ?? Fn.element(Fn.split(":", this.queue.arn), 4),
                ],
              },
            },
          },
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: ["sqs:DeleteMessage", "sqs:ReceiveMessage", "sqs:SendMessage"],
            Resource: [this.queueArn],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ]),
      ),
    });
    new LambdaEventSourceMapping(this, "mapping", {
      eventSourceArn: this.queue.arn,
      functionName: props.target.arn,
      // One upload per invocation: a slow one never holds up another's deletion from the queue.
      batchSize: 1,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: this.maximumConcurrency },
      dependsOn: [props.targetPermissions],
    });
  }
}
