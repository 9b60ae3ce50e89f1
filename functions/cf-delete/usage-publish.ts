import { budgetRules, standingOf } from "../shared/budget.js";
import { limitsFor, type DeploymentPolicy } from "../shared/deployment-policy.js";
import type { UserId } from "../shared/identifiers.js";
import { monthOf } from "../shared/money.js";
import { usageFile, usageReportOf } from "../shared/usage-files.js";
import type { Money } from "../shared/runtime/money.js";
import type { MonthUsage } from "../shared/runtime/usage-ledger.js";
import type { DeleteDeps } from "./delete-deps.js";

/*
 * A user's month as the ledger has it, written into their home as
 * `flightdeck-usage.json`: by the money sweep, and by a cluster's final cost.
 */

export const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

/** A user's month's spend: the ledger's sum over their clusters. */
export const spentIn = (month: MonthUsage) => sum(Object.values(month.clusters).map((c) => c.usd));

/** The user's own monthly budget (the `monthlyBudget` limit), if any. */
export function userBudgetOf(policy: DeploymentPolicy, user: UserId): number | undefined {
  const budget = limitsFor(policy, user).monthlyBudget;
  return budget === undefined ? undefined : Number(budget);
}

/**
 * Rewrites a user's `flightdeck-usage.json` from the ledger: the month's
 * spend per cluster, which run (with their most per hour), the budget.
 */
export async function publishUsage(
  deps: DeleteDeps,
  money: Money,
  policy: DeploymentPolicy,
  user: UserId,
  nowMs: number,
  running: ReadonlyMap<string, number | undefined>,
  stopAt: number | undefined,
): Promise<void> {
  const month = monthOf(nowMs);
  const usage = await money.ledger.month(user, month);
  const standing = standingOf(
    spentIn(usage),
    userBudgetOf(policy, user),
    budgetRules(policy.budgets).warnShare,
  );
  const report = usageReportOf({
    month,
    nowMs,
    clusters: usage.clusters,
    running,
    standing,
    stopAt: stopAt ?? usage.stopAt,
  });
  await deps.home.write(usageFile(user, report));
}
