import { isLeft } from "fp-ts/lib/Either.js";
import { S3EventCodec, S3EventRecordCodec, type S3EventRecord } from "../s3-event.js";
import { decodeStackStatusEvent, type StackStatusEvent } from "../stack-status-event.js";
import type { DecisionLog } from "./decision-log.js";
import { describeError, isTransient } from "./faults.js";

/** What a handler does with each kind of event it is sent. */
export interface EventRoutes {
  readonly s3Record: (record: S3EventRecord) => Promise<void>;
  readonly stackStatus: (event: StackStatusEvent) => Promise<void>;
  /** The schedule's event (EventBridge "Scheduled Event"); only cf-delete has one. */
  readonly scheduled?: () => Promise<void>;
}

/** Whether an event is EventBridge's scheduled event: `source` aws.events, `detail-type` Scheduled Event. */
export function isScheduledEvent(event: unknown): boolean {
  if (typeof event !== "object" || event === null) return false;
  const e = event as Record<string, unknown>;
  return e["source"] === "aws.events" && e["detail-type"] === "Scheduled Event";
}

/** Thrown after every record has had its turn, so Lambda retries the event (all steps are idempotent). */
export class RecordsFailed extends Error {
  override readonly name = "RecordsFailed";
  constructor(readonly failures: readonly unknown[]) {
    super(`${failures.length} record(s) failed and will be retried`, { cause: failures[0] });
  }
}

/**
 * Routes an invocation: every record of an S3 notification (the seed read
 * only `Records[0]`), one stack-status event, or the schedule's tick. A record that throws does
 * not stop the others; the invocation then fails so Lambda retries it, and
 * after two retries the event goes to the dead-letter queue.
 */
export async function dispatch(
  event: unknown,
  routes: EventRoutes,
  log: DecisionLog,
): Promise<void> {
  if (S3EventCodec.is(event)) {
    const failures: unknown[] = [];
    for (const raw of event.Records) {
      const record = S3EventRecordCodec.decode(raw);
      if (isLeft(record) || !record.right.eventName.startsWith("ObjectCreated")) {
        log.warn("record is not an S3 object creation; ignored");
        continue;
      }
      try {
        await routes.s3Record(record.right);
      } catch (error) {
        failures.push(error);
        log.error("record failed; the event will be retried", {
          key: record.right.s3.object.key,
          transient: isTransient(error),
          ...describeError(error),
        });
      }
    }
    if (failures.length > 0) throw new RecordsFailed(failures);
    return;
  }
  if (routes.scheduled !== undefined && isScheduledEvent(event)) {
    await routes.scheduled();
    return;
  }
  const statusEvent = decodeStackStatusEvent(event);
  if (isLeft(statusEvent)) {
    log.warn("event is neither an S3 notification nor a stack status change; ignored", {
      problems: statusEvent.left.slice(0, 3),
    });
    return;
  }
  await routes.stackStatus(statusEvent.right);
}
