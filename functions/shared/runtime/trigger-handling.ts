import { isLeft } from "fp-ts/lib/Either.js";
import { failureBody, type TriggerAction } from "../result-files.js";
import type { S3EventRecord } from "../s3-event.js";
import { parseTriggerKey, type TriggerKey } from "../trigger-key.js";
import type { ClusterRegistry } from "./cluster-registry.js";
import type { DecisionLog } from "./decision-log.js";
import type { Deployment } from "./deployment-source.js";
import { DeploymentFault, describeError, isTransient, UserFacingFailure } from "./faults.js";
import type { ClusterTarget, OutcomeReporter } from "./outcome-reporter.js";
import { admitRequest, REFUSED } from "./request-admission.js";
import type { UserHome } from "./user-home.js";

/** What every trigger passes through before anything is read for it. */
export interface TriggerGate {
  readonly home: UserHome;
  readonly registry: ClusterRegistry;
  readonly deployment: () => Promise<Deployment>;
  readonly log: DecisionLog;
  /** The time now, in ms since the epoch: it places the request in its rate window. */
  readonly now: () => number;
}

/** How a handler answers a well-formed trigger it refuses (`.cf-failed`, or `.cf-extended`). */
export type TriggerRefusal = (trigger: TriggerKey, reasons: readonly string[]) => Promise<void>;

/** The rate refusal for `user`'s request, or `undefined` when it is admitted (and counted). */
async function rateRefusal(
  gate: TriggerGate,
  target: Pick<ClusterTarget, "user">,
): Promise<readonly string[] | undefined> {
  try {
    const { policy } = await gate.deployment();
    await admitRequest(gate.registry, policy, target, gate.now(), gate.log);
    return undefined;
  } catch (error) {
    if (error instanceof UserFacingFailure) return error.reasons;
    throw error;
  }
}

/**
 * The trigger an S3 record carries, or `undefined` when there is nothing
 * more to do. Admission comes first: any key in a user's home, well-formed
 * or not, counts against that user's request rate before anything is read
 * for it, so a flood of malformed keys or bodies is throttled like any
 * other. Over the rate, a request is answered with `refuse`, and a
 * malformed key with a `.cf-failed` next to it (the rate, or what is wrong
 * with it). Anything outside a user's home is only logged, and nothing is
 * ever written outside `home/<that user>/`.
 */
export async function acceptTrigger(
  gate: TriggerGate,
  record: S3EventRecord,
  action: TriggerAction,
  refuse: TriggerRefusal,
): Promise<TriggerKey | undefined> {
  const { home, log } = gate;
  if (record.s3.bucket.name !== home.bucket) {
    log.warn("event from another bucket; ignored", { bucket: record.s3.bucket.name });
    return undefined;
  }
  const parsed = parseTriggerKey(record.s3.object.key);
  if (isLeft(parsed)) {
    const { reason, failedKey, name, user } = parsed.left;
    if (failedKey === undefined || user === undefined) {
      log.warn("not a trigger in a user's home; ignored", { key: record.s3.object.key, reason });
      return undefined;
    }
    const reasons = (await rateRefusal(gate, { user })) ?? [reason];
    await home.write({
      key: failedKey,
      body: failureBody(name ?? "", action, reasons),
      contentType: "text/plain; charset=utf-8",
    });
    log.info("trigger key rejected; user told", { user, failedKey, reasons, ...REFUSED });
    return undefined;
  }
  if (parsed.right.action !== action) {
    log.warn(`not a ${action} trigger; ignored`, { key: parsed.right.key });
    return undefined;
  }
  const trigger = parsed.right;
  const refused = await rateRefusal(gate, trigger);
  if (refused !== undefined) {
    await refuse(trigger, refused);
    return undefined;
  }
  return trigger;
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
      log.info(`${action} refused; user told`, { reasons: error.reasons, ...REFUSED });
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
