import type { S3EventRecord } from "../../functions/shared/s3-event.js";
import type { FunctionName } from "./bundle-handlers.js";
import { USER_BUCKET } from "./local-s3.js";

/*
 * The users' bucket's S3 notifications, as the deployment has them: which
 * uploads notify a function (prefix home/, suffixes .cf-create, .cf-delete,
 * .cf-extend), each record as S3 writes it (its key form-URL-encoded, a
 * sequencer unique to each upload) rather than as s3rver does, and, where
 * a world delivers them as they happen, the deliveries still running and
 * the errors they ended in.
 */

/** How S3 writes a key into an event: form-URL-encoded (s3rver does not, so we do it here). */
export const s3EventKey = (key: string) =>
  encodeURIComponent(key).replace(/%2F/g, "/").replace(/%20/g, "+");

/** The function the deployed S3 notification sends an upload of `key` to, if any. */
export function notifiedFunction(key: string): FunctionName | undefined {
  if (!key.startsWith("home/")) return undefined;
  if (key.endsWith(".cf-create")) return "cf-create";
  if (key.endsWith(".cf-delete") || key.endsWith(".cf-extend")) return "cf-delete";
  return undefined;
}

/** s3rver's record of an upload as S3 would write it, the `sequence`th upload of the bucket. */
const asNotification = (record: S3EventRecord, sequence: number): S3EventRecord => ({
  ...record,
  s3: {
    ...record.s3,
    object: {
      ...record.s3.object,
      key: s3EventKey(record.s3.object.key),
      // As S3's: unique to each upload of a key. s3rver stamps Date.now(), which two
      // uploads in one millisecond (or under an injected clock) would share, and
      // the handlers tell one upload from the next by it (requestIdOf).
      sequencer: sequence.toString(16).toUpperCase().padStart(18, "0"),
    },
  },
});

/** What becomes of each notification, besides being kept. */
export interface NotificationOptions {
  /** Invoke the function each notification is for, as it happens (as the deployment does). */
  readonly autoDeliver?: boolean;
  /** Receives each notification, to invoke the handlers its own way. */
  readonly deliver?: (record: S3EventRecord) => void;
}

/** The users' bucket's notifications, in order, and the deliveries made of them as they happened. */
export class UploadNotifications {
  /** S3 events seen, in order. */
  readonly events: S3EventRecord[] = [];
  /** Errors thrown by auto-delivered invocations (Lambda would retry them). */
  readonly invocationErrors: unknown[] = [];
  private pending: Array<Promise<void>> = [];
  private sequence = 0;

  constructor(
    private readonly options: NotificationOptions,
    private readonly invoke: (record: S3EventRecord) => Promise<void>,
  ) {}

  /** Takes s3rver's records of one write: only the users' bucket has notifications. */
  receive(records: readonly S3EventRecord[]): void {
    for (const record of records) {
      if (record.s3.bucket.name !== USER_BUCKET) continue;
      this.sequence += 1;
      const notification = asNotification(record, this.sequence);
      this.events.push(notification);
      this.options.deliver?.(notification);
      if (
        this.options.autoDeliver === true &&
        notifiedFunction(record.s3.object.key) !== undefined
      ) {
        this.pending.push(
          this.invoke(notification).catch((e: unknown) => void this.invocationErrors.push(e)),
        );
      }
    }
  }

  /** Waits for the deliveries made as notifications happened to finish. */
  async settled(): Promise<void> {
    while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
  }

  /** Forgets the notifications and errors seen (the sequence goes on, as the bucket's would). */
  clear(): void {
    this.events.length = 0;
    this.invocationErrors.length = 0;
  }
}
