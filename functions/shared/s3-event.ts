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
