import { deletePurposeOf } from "../shared/request-tokens.js";
import type { Outcome } from "../shared/result-files.js";
import { createTokenOf, firstFailureReason, latestDeleteToken } from "../shared/stack-facts.js";
import { meaningOfStatus, type StackStatusEvent } from "../shared/stack-status-event.js";
import { statusEventTarget } from "../shared/runtime/status-event-target.js";
import type { DeleteDeps } from "./delete-deps.js";

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
  if (meaning === "deleted") {
    // Every way a cluster ends (a user's delete, the clean-up of a failed
    // create) ends here, so this is where its slot is given back: the slot
    // that names this stack, and no other (slotMatches).
    const released =
      slot !== undefined &&
      (await deps.registry.release(
        ref.user,
        ref.cluster,
        slot.stackId === undefined ? { token: createTokenOf(await stackEvents()) } : { stackId },
        slot,
      ));
    scoped.info(released ? "slot released" : "no slot held for this stack", { stackId });
    if (!released && slot !== undefined) {
      // The name's slot is a newer request's: this stack's end is old news,
      // and its files now speak of that newer cluster.
      scoped.warn("the cluster's name has a newer request; this stack's end is not reported", {
        heldBy: slot.stackId ?? "a create under way",
      });
      return;
    }
  }
  // What the cluster cost, accrued one last time (the ledger's record becomes final).
  const cost =
    meaning === "deleted" && deps.money !== undefined
      ? await (
          await import("./final-cost.js")
        ).finalCost(deps, policy, { ...ref, stackId }, slot, Date.now(), scoped)
      : undefined;
  const outcome: Outcome =
    meaning === "deleted"
      ? { kind: "deleted", why, cost }
      : {
          kind: "failed",
          action: "delete",
          reasons: [firstFailureReason(await stackEvents(), "DELETE", stack.StackStatusReason)],
        };

  if (purpose === "cleanup") {
    if (outcome.kind === "deleted") {
      scoped.info("clean-up of a failed create finished; the user already has .cf-failed");
    } else {
      scoped.error(
        "clean-up of a failed create could not delete the stack; it needs an administrator",
        {
          reason: outcome.reasons[0],
        },
      );
      await deps.reporter.notify(ref, outcome, policy, { adminOnly: true });
    }
    return;
  }
  await deps.reporter.record(ref, outcome);
  scoped.info(outcome.kind === "deleted" ? "cluster deleted" : "cluster could not be deleted", {
    status: stack.StackStatus,
  });
  await deps.reporter.notify(ref, outcome, policy);
}
