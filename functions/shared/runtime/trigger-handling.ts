import { isLeft } from "fp-ts/lib/Either.js";
import { failureBody, type TriggerAction } from "../result-files.js";
import type { S3EventRecord } from "../s3-event.js";
import { parseTriggerKey, type TriggerKey } from "../trigger-key.js";
import type { DecisionLog } from "./decision-log.js";
import { DeploymentFault, describeError, isTransient, UserFacingFailure } from "./faults.js";
import type { ClusterTarget, OutcomeReporter } from "./outcome-reporter.js";
import type { UserHome } from "./user-home.js";

/**
 * The trigger an S3 record carries, or `undefined` when there is nothing to
 * do. A malformed key in a user's home is answered with a `.cf-failed` there;
 * anything else is only logged, and nothing is ever written outside
 * `home/<that user>/`.
 */
export async function acceptTrigger(
  home: UserHome,
  record: S3EventRecord,
  action: TriggerAction,
  log: DecisionLog,
): Promise<TriggerKey | undefined> {
  if (record.s3.bucket.name !== home.bucket) {
    log.warn("event from another bucket; ignored", { bucket: record.s3.bucket.name });
    return undefined;
  }
  const parsed = parseTriggerKey(record.s3.object.key);
  if (isLeft(parsed)) {
    const { reason, failedKey, name, user } = parsed.left;
    if (failedKey === undefined) {
      log.warn("not a trigger in a user's home; ignored", { key: record.s3.object.key, reason });
      return undefined;
    }
    await home.write({
      key: failedKey,
      body: failureBody(name ?? "", action, [reason]),
      contentType: "text/plain; charset=utf-8",
    });
    log.info("trigger key rejected; user told", { user, failedKey, reason });
    return undefined;
  }
  if (parsed.right.action !== action) {
    log.warn(`not a ${action} trigger; ignored`, { key: parsed.right.key });
    return undefined;
  }
  return parsed.right;
}

/**
 * Runs a user's request and maps what goes wrong. A {@link UserFacingFailure}
 * becomes `.cf-failed` and the invocation succeeds. A transient fault is
 * thrown untouched, for Lambda to retry. Anything else cannot be fixed by a
 * retry: the user is told, and the error is still thrown so the event lands
 * in the dead-letter queue for the admin.
 */
export async function runUserRequest(
  reporter: OutcomeReporter,
  ref: ClusterTarget,
  action: TriggerAction,
  log: DecisionLog,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof UserFacingFailure) {
      await reporter.record(ref, { kind: "failed", action, reasons: error.reasons });
      log.info(`${action} refused; user told`, { reasons: error.reasons });
      return;
    }
    if (!isTransient(error)) {
      const reason =
        error instanceof DeploymentFault
          ? "FlightDeck's deployment is misconfigured; your administrator has been told. Try again once they have fixed it."
          : `FlightDeck hit an unexpected error (${describeError(error).errorName}); your administrator can see it in the logs.`;
      await reporter.record(ref, { kind: "failed", action, reasons: [reason] });
      log.error(`${action} failed unexpectedly`, describeError(error));
    }
    throw error;
  }
}
