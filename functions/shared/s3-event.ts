import * as t from "io-ts";

/** One S3 notification record, reduced to what the handlers read. */
export const S3EventRecordCodec = t.type({
  eventSource: t.literal("aws:s3"),
  eventName: t.string,
  s3: t.type({
    bucket: t.type({ name: t.string }),
    object: t.intersection([
      t.type({ key: t.string }),
      t.partial({ size: t.number, versionId: t.string, sequencer: t.string, eTag: t.string }),
    ]),
  }),
});
export type S3EventRecord = t.TypeOf<typeof S3EventRecordCodec>;

/** An S3 notification: records are decoded one by one, so one odd record cannot hide the rest. */
export const S3EventCodec = t.type({ Records: t.array(t.unknown) });

/**
 * What tells one upload of a key from the next: its version id where the
 * bucket keeps versions, else the event's sequencer. Duplicated deliveries of
 * one event share it; a re-uploaded file does not.
 */
export function requestIdOf(record: S3EventRecord): string {
  const { versionId, sequencer, eTag } = record.s3.object;
  return versionId ?? sequencer ?? eTag ?? record.s3.object.key;
}

/**
 * One message of an SQS event, as Lambda's event source mapping delivers
 * the users' uploads: S3 notifies a queue, and the queue feeds the function
 * (see stacks/triggers/). Its body is the S3 notification, as JSON.
 */
export const SqsMessageCodec = t.type({
  eventSource: t.literal("aws:sqs"),
  messageId: t.string,
  body: t.string,
});

/** Whether an event is an SQS batch: every record from SQS. */
export function isSqsEvent(event: unknown): event is { Records: unknown[] } {
  return (
    S3EventCodec.is(event) &&
    event.Records.length > 0 &&
    event.Records.every((r) => (r as { eventSource?: unknown })?.eventSource === "aws:sqs")
  );
}

/** What Lambda reads back from a handler of an SQS batch: the messages to deliver again. */
export interface SqsBatchResponse {
  readonly batchItemFailures: ReadonlyArray<{ readonly itemIdentifier: string }>;
}
