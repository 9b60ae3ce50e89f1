import { createHash, randomUUID } from "node:crypto";
import type { S3EventRecord, SqsBatchResponse } from "../../functions/shared/s3-event.js";

/*
 * The users' uploads as a deployment delivers them: S3 puts each
 * notification in an upload queue, and the queue's event source mapping
 * invokes the function with a batch of one message (stacks/triggers/).
 */

/** An SQS event of one message whose body is S3's notification of `records`, as the mapping builds it. */
export function queueEvent(records: readonly unknown[], messageId: string = randomUUID()): unknown {
  const body = JSON.stringify({ Records: records });
  return {
    Records: [
      {
        messageId,
        receiptHandle: `rh-${messageId}`,
        body,
        attributes: {
          ApproximateReceiveCount: "1",
          SentTimestamp: String(Date.now()),
          SenderId: "AIDAIENQZJOLO23YVJ4VO",
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: createHash("md5").update(body).digest("hex"),
        eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:eu-west-2:123456789012:fdtest-uploads",
        awsRegion: "eu-west-2",
      },
    ],
  };
}

/** Thrown for a message the function reported failed: SQS would deliver it again. */
class MessageFailed extends Error {
  constructor(readonly messageIds: readonly string[]) {
    super(`the function reported ${messageIds.length} message(s) failed: ${messageIds.join(", ")}`);
    this.name = "MessageFailed";
  }
}

/** What a handler of the users' uploads is to a test: the bundle's entry point. */
export type UploadHandler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * Delivers an upload through the queue: invokes `handler` with the SQS event
 * of `record`, and rejects as the mapping would count a failure, when the
 * handler throws or names the message in its response.
 */
export async function deliverUpload(
  handler: UploadHandler,
  record: S3EventRecord,
  context: unknown,
): Promise<void> {
  const response = (await handler(queueEvent([record]), context)) as SqsBatchResponse | undefined;
  // ReportBatchItemFailures reads a missing response as "all done": a handler that did not
  // answer the batch as one would have lost a failed upload.
  if (!Array.isArray(response?.batchItemFailures))
    throw new Error(`the handler answered an SQS batch with ${JSON.stringify(response)}`);
  const failed = response.batchItemFailures.map((f) => f.itemIdentifier);
  if (failed.length > 0) throw new MessageFailed(failed);
}
