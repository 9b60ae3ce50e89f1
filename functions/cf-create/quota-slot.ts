import { initialExpiry, lifetimeFor } from "../shared/cluster-lifetime.js";
import {
  mayCheckSlot,
  quotaRefusal,
  slotsToCheck,
  slotTakenRefusal,
  type ClusterSlot,
  type SlotLimits,
} from "../shared/cluster-registry.js";
import { limitsFor, type DeploymentPolicy } from "../shared/deployment-policy.js";
import { isClusterName, type ClusterName } from "../shared/identifiers.js";
import type { DecisionLog } from "../shared/runtime/decision-log.js";
import { UserFacingFailure } from "../shared/runtime/faults.js";
import type { ClusterRef } from "../shared/runtime/outcome-reporter.js";
import { stackNameFor } from "../shared/stack-name.js";
import { foreignStackReason } from "../shared/stack-trust.js";
import type { CreateStackPlan } from "../shared/template-merge.js";
import type { CreateDeps } from "./create-deps.js";

/*
 * The quota's slot for a create: taken before CreateStack, by one
 * conditional write, and held by this request alone. Only the request whose
 * token took a slot may create its stack; a slot another request holds for
 * the same name refuses this one, unless that slot is lost (its stack gone
 * long enough that no event will free it).
 */

const limitNumber = (value: string | undefined) =>
  value === undefined ? undefined : Number(value);

/**
 * Takes the cluster's slot for this request. Of any number of racing
 * uploads only as many as the limits allow get one, and of uploads of one
 * name only one. When there is no room, or the name's slot is another
 * request's, lost slots (a lost event, a crashed invocation) are freed first
 * and the write is tried once more. Throws a {@link UserFacingFailure} that
 * names the holders or says what the name is waiting for.
 */
export async function takeSlot(
  deps: CreateDeps,
  policy: DeploymentPolicy,
  ref: ClusterRef,
  plan: CreateStackPlan,
  log: DecisionLog,
): Promise<void> {
  const limits = limitsFor(policy, ref.user);
  const slotLimits: SlotLimits = {
    maxClusters: limitNumber(limits.maxClusters),
    maxVcpus: limitNumber(limits.maxVcpus),
  };
  const lifetime = lifetimeFor(policy, ref.user);
  const claim = () => {
    const nowMs = deps.now();
    const expiresAt = initialExpiry(nowMs, lifetime);
    return { vcpus: plan.vcpus, token: plan.clientRequestToken, nowMs, expiresAt };
  };
  let taken = await deps.registry.acquire(ref.user, ref.cluster, claim(), slotLimits);
  const lost =
    taken.kind === "full"
      ? slotsToCheck(taken.record, ref.cluster, deps.now())
      : taken.kind === "taken" && mayCheckSlot(taken.slot, deps.now())
        ? [[ref.cluster, taken.slot] as const]
        : [];
  if (lost.length > 0 && (await freeLostSlots(deps, policy, ref, lost, log)) > 0) {
    taken = await deps.registry.acquire(ref.user, ref.cluster, claim(), slotLimits);
  }
  switch (taken.kind) {
    case "full":
      log.info("no slot left under the user's limits", {
        holders: [...taken.record.clusters.keys()],
        vcpus: taken.record.vcpus,
      });
      throw new UserFacingFailure(quotaRefusal(ref.cluster, plan.vcpus, slotLimits, taken.record));
    case "taken": {
      // Its stack, if it has one yet, says which: an earlier create, or an end not yet handled.
      const { stackId } = taken.slot;
      const stack = stackId === undefined ? undefined : await deps.stacks.describe(stackId);
      const deleting =
        stackId !== undefined &&
        (stack === undefined || stack.StackStatus?.startsWith("DELETE_") === true);
      log.info("the cluster's slot is another request's", {
        stackId,
        status: stack?.StackStatus,
        acquiredAt: taken.slot.acquiredAt,
      });
      throw new UserFacingFailure([slotTakenRefusal(ref.cluster, deleting)]);
    }
    default:
      log.info(taken.kind === "acquired" ? "slot taken" : "slot already held by this request", {
        vcpus: plan.vcpus,
      });
  }
}

/**
 * Frees the slots among `candidates` whose stacks CloudFormation no longer
 * has (or that are not FlightDeck's): at most one DescribeStacks per slot,
 * and only for slots past the grace period and not seen alive within it.
 * A slot is freed only as it was read (its stack's id, else its token), so
 * a slot taken again meanwhile stays. Returns how many were freed.
 */
async function freeLostSlots(
  deps: CreateDeps,
  policy: DeploymentPolicy,
  ref: ClusterRef,
  candidates: ReadonlyArray<readonly [string, ClusterSlot]>,
  log: DecisionLog,
): Promise<number> {
  const now = deps.now();
  let freed = 0;
  const alive: ClusterName[] = [];
  const ownership = {
    user: ref.user,
    deployment: policy.deployment,
    serviceRoleArn: deps.env.FD_SERVICE_ROLE_ARN,
  };
  for (const [cluster, slot] of candidates) {
    // The record's names are as stored: one that is no cluster name names no stack of ours.
    if (!isClusterName(cluster)) {
      log.warn("registry slot with an invalid name; left alone", { heldBy: cluster });
      continue;
    }
    const stackName = stackNameFor(policy.stackPrefix, ref.user, cluster);
    const stack = await deps.stacks.describe(slot.stackId ?? stackName);
    const gone =
      stack === undefined ||
      stack.StackStatus === "DELETE_COMPLETE" ||
      foreignStackReason(stack, ownership) !== undefined;
    if (!gone) {
      alive.push(cluster);
      continue;
    }
    if (await deps.registry.release(ref.user, cluster, slot)) {
      freed += 1;
      log.warn("freed a slot whose stack is gone", { heldBy: cluster, stackId: slot.stackId });
    }
  }
  if (alive.length > 0) await deps.registry.markChecked(ref.user, alive, now);
  return freed;
}
