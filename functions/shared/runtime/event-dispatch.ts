import type { Context } from "aws-lambda";
import { isLeft } from "fp-ts/lib/Either.js";
import {
  isSqsEvent,
  S3EventCodec,
  S3EventRecordCodec,
  SqsMessageCodec,
  type S3EventRecord,
  type SqsBatchResponse,
} from "../s3-event.js";
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
function isScheduledEvent(event: unknown): boolean {
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

/** Runs every record of an S3 notification; the failures, so a caller can retry. */
async function s3Records(
  records: readonly unknown[],
  routes: EventRoutes,
  log: DecisionLog,
): Promise<unknown[]> {
  const failures: unknown[] = [];
  for (const raw of records) {
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
  return failures;
}

/**
 * The users' uploads, as the upload queue delivers them: each message holds
 * an S3 notification. A message whose records all ran is done; one that
 * failed is named in the response, so SQS delivers it again (and, after its
 * last receive, moves it to the dead-letter queue), and the rest of the
 * batch is not repeated. S3's test event, sent when the notification is
 * configured, and anything unreadable are logged and dropped.
 */
async function sqsBatch(
  records: readonly unknown[],
  routes: EventRoutes,
  log: DecisionLog,
): Promise<SqsBatchResponse> {
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  for (const raw of records) {
    const message = SqsMessageCodec.decode(raw);
    if (isLeft(message)) {
      log.warn("queue record is not an SQS message; ignored");
      continue;
    }
    let body: unknown;
    try {
      body = JSON.parse(message.right.body);
    } catch {
      log.warn("queue message is not JSON; dropped", { messageId: message.right.messageId });
      continue;
    }
    if (!S3EventCodec.is(body)) {
      log.info("queue message holds no S3 records (S3's test event); dropped", {
        messageId: message.right.messageId,
      });
      continue;
    }
    const failures = await s3Records(body.Records, routes, log);
    if (failures.length > 0) batchItemFailures.push({ itemIdentifier: message.right.messageId });
  }
  return { batchItemFailures };
}

/**
 * Routes an invocation: a batch from the upload queue (each message an S3
 * notification), an S3 notification invoking the function directly (an
 * event S3 sent straight to the function, as one in flight while a
 * deployment is upgraded may be), one stack-status event, or the
 * schedule's tick. Every record of a notification runs, and one that
 * throws does not stop the others. A failed queue message is returned for
 * SQS to deliver again; a failed direct invocation throws, so Lambda
 * retries it, and after two retries the event goes to the dead-letter queue.
 */
export async function dispatch(
  event: unknown,
  routes: EventRoutes,
  log: DecisionLog,
): Promise<SqsBatchResponse | undefined> {
  if (isSqsEvent(event)) return sqsBatch(event.Records, routes, log);
  if (S3EventCodec.is(event)) {
    const failures = await s3Records(event.Records, routes, log);
    if (failures.length > 0) throw new RecordsFailed(failures);
    return undefined;
  }
  if (routes.scheduled !== undefined && isScheduledEvent(event)) {
    await routes.scheduled();
    return undefined;
  }
  const statusEvent = decodeStackStatusEvent(event);
  if (isLeft(statusEvent)) {
    log.warn("event is neither an S3 notification nor a stack status change; ignored", {
      problems: statusEvent.left.slice(0, 3),
    });
    return undefined;
  }
  await routes.stackStatus(statusEvent.right);
  return undefined;
}

/** What a Lambda entry point needs of its wiring: the logger the invocation's context joins, and the decision log. */
interface EntryWiring {
  readonly logger: { addContext(context: Context): void };
  readonly log: DecisionLog;
}

/** A handler's Lambda entry point: each invocation's context joins the logs, then its event is dispatched over `routes`. */
export const lambdaEntry =
  ({ logger, log }: EntryWiring, routes: EventRoutes) =>
  async (event: unknown, context: Context): Promise<SqsBatchResponse | undefined> => {
    logger.addContext(context);
    return dispatch(event, routes, log);
  };
