import { type Either } from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { decodeReadably } from "./readable-errors.js";

/**
 * The EventBridge "CloudFormation Stack Status Change" event, reduced to the
 * fields FlightDeck reads. The status in it is only a hint: events may arrive
 * late or out of order, so handlers re-read the stack before acting.
 */
export const StackStatusEventCodec = t.type({
  source: t.literal("aws.cloudformation"),
  "detail-type": t.literal("CloudFormation Stack Status Change"),
  detail: t.intersection([
    t.type({
      "stack-id": t.string,
      "status-details": t.intersection([
        t.type({ status: t.string }),
        t.partial({ "status-reason": t.string }),
      ]),
    }),
    t.partial({ "client-request-token": t.string }),
  ]),
});
export type StackStatusEvent = t.TypeOf<typeof StackStatusEventCodec>;

export function decodeStackStatusEvent(input: unknown): Either<string[], StackStatusEvent> {
  return decodeReadably(StackStatusEventCodec, input);
}

/** What a stack status means for the user waiting on it. */
export type StatusMeaning =
  "created" | "create-failed" | "deleted" | "delete-failed" | "in-progress" | "other";

const MEANINGS: Readonly<Record<string, StatusMeaning>> = {
  CREATE_COMPLETE: "created",
  // An admin may have updated or imported into a stack; it is still up.
  UPDATE_COMPLETE: "created",
  UPDATE_ROLLBACK_COMPLETE: "created",
  IMPORT_COMPLETE: "created",
  IMPORT_ROLLBACK_COMPLETE: "created",
  CREATE_FAILED: "create-failed",
  ROLLBACK_COMPLETE: "create-failed",
  ROLLBACK_FAILED: "create-failed",
  DELETE_COMPLETE: "deleted",
  DELETE_FAILED: "delete-failed",
  CREATE_IN_PROGRESS: "in-progress",
  ROLLBACK_IN_PROGRESS: "in-progress",
  DELETE_IN_PROGRESS: "in-progress",
  UPDATE_IN_PROGRESS: "in-progress",
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: "in-progress",
  UPDATE_ROLLBACK_IN_PROGRESS: "in-progress",
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: "in-progress",
  REVIEW_IN_PROGRESS: "in-progress",
  IMPORT_IN_PROGRESS: "in-progress",
  IMPORT_ROLLBACK_IN_PROGRESS: "in-progress",
};

/**
 * Classifies a stack status. Only final statuses call for a result file;
 * `ROLLBACK_IN_PROGRESS` waits for the rollback to finish, so the stack can
 * then be deleted and its name reused.
 */
export function meaningOfStatus(status: string | undefined): StatusMeaning {
  return (
    (status !== undefined && Object.hasOwn(MEANINGS, status) ? MEANINGS[status] : undefined) ??
    "other"
  );
}

/** The statuses each handler's EventBridge rule routes to it. */
export const CREATE_OUTCOME_STATUSES = [
  "CREATE_COMPLETE",
  "CREATE_FAILED",
  "ROLLBACK_COMPLETE",
  "ROLLBACK_FAILED",
] as const;
export const DELETE_OUTCOME_STATUSES = ["DELETE_COMPLETE", "DELETE_FAILED"] as const;
