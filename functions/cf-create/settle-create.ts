import type { Stack } from "@aws-sdk/client-cloudformation";
import { loginFor } from "../shared/deployment-policy.js";
import { slotMatches, type ClusterSlot } from "../shared/cluster-registry.js";
import { createTokenOf, firstFailureReason } from "../shared/stack-facts.js";
import { meaningOfStatus, type StackStatusEvent } from "../shared/stack-status-event.js";
import { IDLE_DELETE_PARAMETER, LOGIN_IP_OUTPUT } from "../shared/template-contract.js";
import type { LifetimeMetadata, Outcome } from "../shared/result-files.js";
import { expiryOf, lifetimeFor } from "../shared/cluster-lifetime.js";
import type { DecisionLog } from "../shared/runtime/decision-log.js";
import type { ClusterRef } from "../shared/runtime/outcome-reporter.js";
import { statusEventTarget } from "../shared/runtime/status-event-target.js";
import type { CreateDeps } from "./create-deps.js";

/** Whether settling should also email; only the status event does, so a re-dropped file does not email twice. */
export interface SettleOptions {
  readonly notify: boolean;
}

/**
 * Brings the user's files in line with a stack's current state.
 * - Complete: `.cf-created` with the login IP; `.cf-create` and stale results go.
 * - Failed: `.cf-failed` with the first failing resource's reason; `.cf-create`
 *   goes; the rolled-back stack is deleted so the name can be used again.
 * - In progress, or not a create outcome: nothing yet.
 * Each step may be repeated safely.
 */
export async function settleCreate(
  deps: CreateDeps,
  ref: ClusterRef,
  stack: Stack,
  options: SettleOptions,
  log: DecisionLog,
): Promise<void> {
  const stackId = stack.StackId ?? ref.stackName;
  const meaning = meaningOfStatus(stack.StackStatus);
  const status = stack.StackStatus;
  let outcome: Outcome;
  switch (meaning) {
    case "created":
      outcome = await settleComplete(deps, ref, stack, log);
      break;
    case "create-failed": {
      const reason = firstFailureReason(
        await deps.stacks.events(stackId),
        "CREATE",
        stack.StackStatusReason,
      );
      outcome = { kind: "failed", action: "create", reasons: [reason] };
      await deps.reporter.record(ref, outcome);
      await deps.stacks.delete(stackId, "cleanup");
      log.info("cluster failed; rolled-back stack is being deleted", { status, reason });
      break;
    }
    case "in-progress":
      log.info("stack still in progress; waiting for its final status", { status });
      return;
    default:
      log.info("stack status is not a create outcome; nothing to do", { status });
      return;
  }
  if (options.notify) await deps.reporter.notify(ref, outcome, (await deps.deployment()).policy);
}

/**
 * Settles a complete stack: `.cf-created` with its login IP, or `.cf-failed`
 * when it has none; a stack no slot holds is deleted (it counts against no
 * quota, so it may not run). Returns the outcome recorded.
 */
async function settleComplete(
  deps: CreateDeps,
  ref: ClusterRef,
  stack: Stack,
  log: DecisionLog,
): Promise<Outcome> {
  const status = stack.StackStatus;
  const slot = await slotOf(deps, ref, stack);
  if (slot === undefined) {
    const outcome: Outcome = { kind: "failed", action: "create", reasons: [unslottedReason(ref)] };
    await deps.reporter.record(ref, outcome);
    await deps.stacks.delete(stack.StackId ?? ref.stackName, "cleanup");
    log.warn("a complete stack holds no quota slot; deleted", { status });
    return outcome;
  }
  const outputKey = deps.env.FD_LOGIN_IP_OUTPUT ?? LOGIN_IP_OUTPUT;
  const loginIp = await deps.stacks.loginIp(stack, outputKey);
  const outcome: Outcome =
    loginIp === undefined
      ? {
          kind: "failed",
          action: "create",
          reasons: [
            `The cluster's stack is complete but has no login IP (no ${outputKey} output and no EC2 instance with a public IP); ask your administrator.`,
          ],
        }
      : {
          kind: "created",
          loginIp,
          login: loginFor((await deps.deployment()).policy, ref.user),
          lifetime: await lifetimeOf(deps, ref, slot, stack),
        };
  await deps.reporter.record(ref, outcome);
  log.info(outcome.kind === "created" ? "cluster created" : "cluster created without a login IP", {
    status,
  });
  return outcome;
}

/**
 * The registry's slot that holds this stack, or `undefined` when none does: a
 * complete stack whose slot names another stack (or none) runs uncounted,
 * outside the user's limits and lifetime. A slot that has not learnt its
 * stack's id yet (its recording failed for a moment) holds the stack its
 * create's token made, and learns its id now.
 */
async function slotOf(
  deps: CreateDeps,
  ref: ClusterRef,
  stack: Stack,
): Promise<ClusterSlot | undefined> {
  const stackId = stack.StackId ?? ref.stackName;
  const slot = (await deps.registry.record(ref.user)).clusters.get(ref.cluster);
  if (slot === undefined) return undefined;
  if (slot.stackId !== undefined) return slotMatches(slot, { stackId }) ? slot : undefined;
  const token = createTokenOf(await deps.stacks.events(stackId));
  if (token === undefined || !slotMatches(slot, { token })) return undefined;
  return (await deps.registry.recordStack(ref.user, ref.cluster, token, stackId))
    ? { ...slot, stackId }
    : undefined;
}

/** What a user is told of a stack that completed without its quota slot. */
function unslottedReason(ref: ClusterRef): string {
  return `A stack for cluster "${ref.cluster}" completed without holding your quota slot (another request for ${ref.cluster} held it), so FlightDeck deleted it rather than let it run uncounted. Upload ${ref.cluster}.cf-create again once ${ref.cluster} has no other request under way.`;
}

/**
 * What `.cf-created` says of the cluster's lifetime: its expiry from its
 * slot, its idle policy from the stack's parameters, and its most per hour
 * as quoted at its create (the usage ledger's). The CLI shows all three,
 * reading only the user's own files.
 */
async function lifetimeOf(
  deps: CreateDeps,
  ref: ClusterRef,
  slot: ClusterSlot,
  stack: Stack,
): Promise<LifetimeMetadata | undefined> {
  const { policy } = await deps.deployment();
  const idleDeleteMinutes = stack.Parameters?.find(
    (p) => p.ParameterKey === IDLE_DELETE_PARAMETER,
  )?.ParameterValue;
  const stackId = stack.StackId ?? slot.stackId;
  const usage =
    deps.money === undefined || stackId === undefined
      ? undefined
      : await deps
          .money()
          .then(({ ledger }) => ledger.cluster(ref.user, stackId))
          .catch(() => undefined);
  return {
    expiresAt: expiryOf(slot, lifetimeFor(policy, ref.user)),
    idleDeleteMinutes,
    maxCostPerHour: usage?.maxPerHour,
  };
}

/**
 * Finishes a create when CloudFormation reports a final status, settling the
 * user's files on what the stack is now (re-read, since events may be late).
 */
export async function handleCreateOutcome(
  deps: CreateDeps,
  event: StackStatusEvent,
): Promise<void> {
  const target = await statusEventTarget(deps, event);
  if (target === undefined) return;
  await settleCreate(deps, target.ref, target.stack, { notify: true }, target.log);
}
