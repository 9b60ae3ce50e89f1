import {
  decideExtension,
  expiryOf,
  latestExpiryOf,
  lifetimeFor,
} from "../shared/cluster-lifetime.js";
import type { ClusterSlot } from "../shared/cluster-registry.js";
import type { DeploymentPolicy } from "../shared/deployment-policy.js";
import { extendedFile, MAX_EXTEND_BYTES, parseExtendRequest } from "../shared/lifetime-files.js";
import { clusterFileKey } from "../shared/result-files.js";
import { requestIdOf, type S3EventRecord } from "../shared/s3-event.js";
import { withKeys } from "../shared/runtime/decision-log.js";
import type { ClusterName, UserId } from "../shared/identifiers.js";
import { REFUSED } from "../shared/runtime/request-admission.js";
import { acceptTrigger } from "../shared/runtime/trigger-handling.js";
import { unreadableTriggerReason } from "../shared/runtime/user-home.js";
import type { DeleteDeps } from "./delete-deps.js";

/** How often a granted extension is re-decided when another one moved the expiry meanwhile. */
const EXTEND_ATTEMPTS = 3;

/**
 * Handles one `<cluster>.cf-extend` upload (`{"hours": N}`, or empty for the
 * admin's `extendHours`): moves the cluster's expiry in the registry, up to
 * the user's maximum lifetime, and answers in `<cluster>.cf-extended`, with
 * the new expiry or the refusal. A refusal never writes `.cf-failed`: the
 * cluster is still running, and its state must still say so. A retried
 * event extends once (the registry remembers the upload it granted).
 */
export async function handleExtendRequest(deps: DeleteDeps, record: S3EventRecord): Promise<void> {
  const answerRefusal = async (
    target: { readonly user: UserId; readonly cluster: ClusterName },
    reason: string,
    expiresAt?: number,
    latestExpiry?: number,
  ) => {
    const { user, cluster } = target;
    await deps.home.write(
      extendedFile(user, cluster, { granted: false, reason, expiresAt, latestExpiry }),
    );
    await deps.home.remove([clusterFileKey(user, cluster, "extend")]);
    withKeys(deps.log, { user, cluster }).info("extension refused; user told", {
      reason,
      ...REFUSED,
    });
  };
  const trigger = await acceptTrigger(deps, record, "extend", (refused, reasons) =>
    answerRefusal(refused, reasons.join(" ")),
  );
  if (trigger === undefined) return;
  const { user, cluster } = trigger;
  const log = withKeys(deps.log, { user, cluster });
  const refuse = (reason: string, expiresAt?: number, latestExpiry?: number) =>
    answerRefusal(trigger, reason, expiresAt, latestExpiry);

  const requestId = requestIdOf(record);
  const asked = await readAsk(deps, trigger, record.s3.object.versionId);
  if (asked === undefined) {
    log.info("the .cf-extend is gone; nothing to do");
    return;
  }
  if ("refusal" in asked) return refuse(asked.refusal);
  const { policy } = await deps.deployment();
  const lifetime = lifetimeFor(policy, user);
  const hours = asked.hours ?? lifetime.extendHours;
  const refused = await moveExpiry(deps, policy, trigger, { hours, requestId });
  if (refused !== undefined) return refuse(refused.reason, refused.expiresAt, refused.latestExpiry);
  const slot = (await deps.registry.record(user)).clusters.get(cluster);
  if (slot?.extendedBy !== requestId || slot.expiresAt === undefined) {
    // Other extensions kept moving the expiry; Lambda retries this one.
    throw new Error("the cluster's expiry kept changing; the extension will be retried");
  }
  await deps.home.write(
    extendedFile(user, cluster, {
      granted: true,
      expiresAt: slot.expiresAt,
      latestExpiry: latestExpiryOf(slot, lifetime),
    }),
  );
  // The warning was about the old expiry; a new one comes before the new expiry.
  await deps.home.remove([
    clusterFileKey(user, cluster, "extend"),
    clusterFileKey(user, cluster, "expiring"),
  ]);
  log.info("cluster extended", { hours, expiresAt: slot.expiresAt });
}

/**
 * The hours a `.cf-extend` asks for (none: the admin's `extendHours`), or
 * why it cannot be read; `undefined` when the file is gone.
 */
async function readAsk(
  deps: DeleteDeps,
  trigger: { readonly key: string; readonly cluster: ClusterName },
  versionId: string | undefined,
): Promise<{ readonly hours?: number | undefined } | { readonly refusal: string } | undefined> {
  const read = await deps.home.readTrigger(trigger.key, versionId, MAX_EXTEND_BYTES);
  if (read.kind === "missing") return undefined;
  if (read.kind === "unreadable")
    return { refusal: unreadableTriggerReason(`${trigger.cluster}.cf-extend`) };
  if (read.kind === "too-large")
    return {
      refusal: `The .cf-extend file is over ${MAX_EXTEND_BYTES} bytes; it holds at most {"hours": N}.`,
    };
  const asked = parseExtendRequest(new TextDecoder("utf-8", { fatal: false }).decode(read.bytes));
  return "problems" in asked ? { refusal: asked.problems.join(" ") } : asked;
}

/** Why an extension is refused, with the expiries its answer shows. */
interface ExtendRefusal {
  readonly reason: string;
  readonly expiresAt?: number | undefined;
  readonly latestExpiry?: number | undefined;
}

/**
 * Moves the cluster's expiry by `hours` for the upload `requestId`, as the
 * lifetime and the budgets allow: decided on the slot as read and written
 * only from the expiry read, so an extension racing this one makes it
 * decide again (up to {@link EXTEND_ATTEMPTS} times). Returns the refusal,
 * or `undefined` when the expiry moved, was moved by this upload already,
 * or kept changing (the caller reads which).
 */
async function moveExpiry(
  deps: DeleteDeps,
  policy: DeploymentPolicy,
  target: { readonly user: UserId; readonly cluster: ClusterName },
  ask: { readonly hours: number; readonly requestId: string },
): Promise<ExtendRefusal | undefined> {
  const { user, cluster } = target;
  const lifetime = lifetimeFor(policy, user);
  for (let attempt = 0; attempt < EXTEND_ATTEMPTS; attempt += 1) {
    const slot = (await deps.registry.record(user)).clusters.get(cluster);
    if (slot === undefined) return { reason: `You have no running cluster named ${cluster}.` };
    // A retry of an event already granted.
    if (slot.extendedBy === ask.requestId) return undefined;
    const decision = decideExtension(slot, lifetime, ask.hours, deps.now());
    if (!decision.granted) return decision;
    const overBudget = await budgetRefusals(deps, policy, user, slot, decision.expiresAt);
    if (overBudget.length > 0) {
      const reason = overBudget.join(" ");
      return { reason, expiresAt: expiryOf(slot, lifetime), latestExpiry: decision.latestExpiry };
    }
    const moved = await deps.registry.extend(user, cluster, {
      token: slot.token,
      from: slot.expiresAt,
      to: decision.expiresAt,
      requestId: ask.requestId,
    });
    if (moved) return undefined;
  }
  return undefined;
}

/**
 * Why the budgets refuse moving the cluster's expiry to `newExpiry`: a spent
 * budget, or too little left for the cluster's most per hour (as quoted at
 * its create) until then. None when the deployment keeps no usage.
 */
async function budgetRefusals(
  deps: DeleteDeps,
  policy: DeploymentPolicy,
  user: UserId,
  slot: ClusterSlot,
  newExpiry: number,
): Promise<string[]> {
  if (deps.money === undefined) return [];
  const [money, { standingsFor, extensionRefusals }] = await Promise.all([
    deps.money(),
    import("../shared/runtime/budget-check.js"),
  ]);
  const now = deps.now();
  const standings = await standingsFor(money, policy, user, now);
  if (standings.budgets.length === 0) return [];
  const usage =
    slot.stackId === undefined ? undefined : await money.ledger.cluster(user, slot.stackId);
  return extensionRefusals(standings, usage?.maxPerHour, newExpiry, now);
}
