import type { CostQuote } from "../shared/cluster-cost.js";
import type { DecisionLog } from "../shared/runtime/decision-log.js";
import { describeError } from "../shared/runtime/faults.js";
import type { ClusterRef } from "../shared/runtime/outcome-reporter.js";
import type { CreateDeps } from "./create-deps.js";

/**
 * Starts the new cluster's record in the usage ledger, with its most per
 * hour as quoted: what `.cf-created` shows and what an extension is checked
 * against. Best effort: the sweep starts the record anyway (without the
 * quote), so a failure here is only logged.
 */
export async function openUsage(
  deps: CreateDeps,
  ref: ClusterRef,
  stackId: string,
  quote: CostQuote | undefined,
  log: DecisionLog,
): Promise<void> {
  if (deps.money === undefined) return;
  try {
    const { ledger } = await deps.money();
    await ledger.openCluster({
      user: ref.user,
      cluster: ref.cluster,
      stackId,
      createdAt: deps.now(),
      maxPerHour: quote?.kind === "priced" ? quote.perHour : undefined,
    });
  } catch (error) {
    log.warn("the cluster's usage record could not be started", describeError(error));
  }
}
