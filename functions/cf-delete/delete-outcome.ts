import { deletePurposeOf } from "../shared/request-tokens.js";
import type { Outcome } from "../shared/result-files.js";
import { createTokenOf, firstFailureReason, latestDeleteToken } from "../shared/stack-facts.js";
import { meaningOfStatus, type StackStatusEvent } from "../shared/stack-status-event.js";
import type { ClusterSlot } from "../shared/cluster-registry.js";
import {
  statusEventTarget,
  type StatusEventTarget,
} from "../shared/runtime/status-event-target.js";
import type { DeleteDeps } from "./delete-deps.js";

/**
 * Gives back the slot of a deleted stack: every way a cluster ends (a
 * user's delete, the clean-up of a failed create) ends here. Only the slot
 * that names this stack goes (slotMatches): by its id, or by the create's
 * token when the slot never learnt it. `false` when the name's slot is a
 * newer request's: this stack's end is old news, and its files now speak
 * of that newer cluster, so it is not reported.
 */
async function giveBackSlot(
  deps: DeleteDeps,
  target: StatusEventTarget,
  slot: ClusterSlot | undefined,
  stackEvents: () => ReturnType<DeleteDeps["stacks"]["events"]>,
): Promise<boolean> {
  const { ref, stackId, log } = target;
  const released =
    slot !== undefined &&
    (await deps.registry.release(
      ref.user,
      ref.cluster,
      slot.stackId === undefined ? { token: createTokenOf(await stackEvents()) } : { stackId },
      slot,
    ));
  log.info(released ? "slot released" : "no slot held for this stack", { stackId });
  if (released || slot === undefined) return true;
  log.warn("the cluster's name has a newer request; this stack's end is not reported", {
    heldBy: slot.stackId ?? "a create under way",
  });
  return false;
}

/**
 * Finishes a delete when CloudFormation reports `DELETE_COMPLETE` or
 * `DELETE_FAILED`, after re-reading the stack by its unique id. A stack that
 * cf-create deleted to clean up after a failed create gets no `.cf-deleted`:
 * its user already has the `.cf-failed` that explains it. The delete's
 * ClientRequestToken says which kind of delete it was.
 */
export async function handleDeleteOutcome(
  deps: DeleteDeps,
  event: StackStatusEvent,
): Promise<void> {
  const target = await statusEventTarget(deps, event);
  if (target === undefined) return;
  const { ref, stack, stackId, policy, log: scoped } = target;
  const meaning = meaningOfStatus(stack.StackStatus);
  if (meaning !== "deleted" && meaning !== "delete-failed") {
    scoped.info("stack status is not a delete outcome; nothing to do", {
      status: stack.StackStatus,
    });
    return;
  }
  // The stack's events are read only for what nothing else answers: the delete's purpose when
  // the event carries no token of FlightDeck's, the create's token when the slot never learnt
  // its stack's id, and why a delete failed. Most outcomes need none: one CloudFormation call
  // fewer, and one less to be throttled, per delete.
  let eventsRead: ReturnType<typeof deps.stacks.events> | undefined;
  const stackEvents = () => (eventsRead ??= deps.stacks.events(stackId));
  const purpose =
    deletePurposeOf(event.detail["client-request-token"]) ??
    deletePurposeOf(latestDeleteToken(await stackEvents()));
  // FlightDeck's own deletes (the lifetime sweep, an idle master) say why; the
  // reason is kept with the slot, so the slot is read before it is released.
  const slot = (await deps.registry.record(ref.user)).clusters.get(ref.cluster);
  const why = purpose === "expire" || purpose === "idle" ? slot?.endReason : undefined;
  if (meaning === "deleted" && !(await giveBackSlot(deps, target, slot, stackEvents))) return;
  // What the cluster cost, accrued one last time (the ledger's record becomes final).
  const cost =
    meaning === "deleted" && deps.money !== undefined
      ? await (
          await import("./final-cost.js")
        ).finalCost(deps, policy, { ...ref, stackId }, slot, deps.now(), scoped)
      : undefined;
  const outcome: Outcome =
    meaning === "deleted"
      ? { kind: "deleted", why, cost }
      : {
          kind: "failed",
          action: "delete",
          reasons: [firstFailureReason(await stackEvents(), "DELETE", stack.StackStatusReason)],
        };
  await reportOutcome(deps, target, purpose === "cleanup", outcome);
}

/**
 * Tells of a delete's outcome: the user (`.cf-deleted` or `.cf-failed`, and
 * a notice), or, for the clean-up of a failed create, whose user already
 * has the `.cf-failed` that explains it, only the admin and only if it failed.
 */
async function reportOutcome(
  deps: DeleteDeps,
  target: StatusEventTarget,
  cleanup: boolean,
  outcome: Outcome,
): Promise<void> {
  const { ref, stack, policy, log } = target;
  if (cleanup) {
    if (outcome.kind === "deleted") {
      log.info("clean-up of a failed create finished; the user already has .cf-failed");
    } else if (outcome.kind === "failed") {
      log.error(
        "clean-up of a failed create could not delete the stack; it needs an administrator",
        { reason: outcome.reasons[0] },
      );
      await deps.reporter.notify(ref, outcome, policy, { adminOnly: true });
    }
    return;
  }
  await deps.reporter.record(ref, outcome);
  log.info(outcome.kind === "deleted" ? "cluster deleted" : "cluster could not be deleted", {
    status: stack.StackStatus,
  });
  await deps.reporter.notify(ref, outcome, policy);
}
