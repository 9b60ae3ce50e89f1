import type { ClusterSlot } from "../shared/cluster-registry.js";
import type { DeploymentPolicy } from "../shared/deployment-policy.js";
import type { ClusterName, UserId } from "../shared/identifiers.js";
import { finalCostSentence } from "../shared/usage-files.js";
import type { DecisionLog } from "../shared/runtime/decision-log.js";
import { describeError } from "../shared/runtime/faults.js";
import type { DeleteDeps } from "./delete-deps.js";
import { publishUsage } from "./usage-publish.js";
import { accrueSpend, totalOf } from "./spend-accrual.js";

/**
 * A deleted cluster's final cost, for its `.cf-deleted`: its spend accrued
 * one last time, now that EC2 shows all its instances ended (it keeps them
 * for about an hour), and the record made final; the user's usage file is
 * rewritten without it among the running. Best effort: money must never hold
 * a deletion's report back, so a failure is logged and the file says nothing
 * of cost (the ledger keeps what the last sweep accrued).
 */
export async function finalCost(
  deps: DeleteDeps,
  policy: DeploymentPolicy,
  target: { readonly user: UserId; readonly cluster: ClusterName; readonly stackId: string },
  slot: ClusterSlot | undefined,
  nowMs: number,
  log: DecisionLog,
): Promise<string | undefined> {
  if (deps.money === undefined) return undefined;
  try {
    const money = await deps.money();
    const known = await money.ledger.cluster(target.user, target.stackId);
    const createdAt = known?.createdAt ?? slot?.acquiredAt ?? nowMs;
    const book = await money.prices.current();
    const [usage] = await accrueSpend(money, book, [{ ...target, createdAt }], nowMs, true);
    if (usage === undefined) return undefined;
    const others = [...(await deps.registry.record(target.user)).clusters.values()].flatMap(
      (other) =>
        other.stackId === undefined || other.stackId === target.stackId ? [] : [other.stackId],
    );
    const running = new Map<string, number | undefined>();
    for (const stackId of others) {
      running.set(stackId, (await money.ledger.cluster(target.user, stackId))?.maxPerHour);
    }
    await publishUsage(deps, money, policy, target.user, nowMs, running, undefined);
    const total = totalOf(usage);
    log.info("cluster's final cost recorded", { usd: total, instances: usage.instances.length });
    return finalCostSentence(total);
  } catch (error) {
    log.warn("the cluster's final cost could not be computed", describeError(error));
    return undefined;
  }
}
