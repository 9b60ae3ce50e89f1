import type { Month } from "../../functions/shared/money.js";
import type { MonthUsage } from "../../functions/shared/runtime/usage-ledger.js";

/** One user's month, as `flightdeck admin usage` reports it. */
export interface UserUsage {
  readonly user: string;
  readonly spent: number;
  readonly budget?: number;
  /** When their running clusters are deleted, once their budget is spent (ISO 8601). */
  readonly stopAt?: string;
  readonly clusters: ReadonlyArray<{
    readonly cluster: string;
    readonly stackId: string;
    readonly usd: number;
  }>;
}

/** The whole deployment's month. */
export interface UsageSummary {
  readonly month: Month;
  readonly spent: number;
  readonly budget?: number;
  readonly users: readonly UserUsage[];
}

const cents = (usd: number) => Math.round(usd * 100) / 100;

/**
 * The report from the ledger's month records: each user's clusters and
 * total (a cluster is one stack: a name created twice is two lines), and
 * the deployment's total, with the budgets when the settings are known.
 */
export function usageSummary(
  month: Month,
  records: readonly MonthUsage[],
  budgets: { readonly deployment?: number; readonly user: (user: string) => number | undefined },
  deploymentOwner: string,
): UsageSummary {
  const users = records
    .filter((record) => record.owner !== deploymentOwner)
    .map((record): UserUsage => {
      const clusters = Object.entries(record.clusters)
        .map(([stackId, { cluster, usd }]) => ({ cluster, stackId, usd: cents(usd) }))
        .sort((a, b) => a.cluster.localeCompare(b.cluster) || a.stackId.localeCompare(b.stackId));
      const budget = budgets.user(record.owner);
      return {
        user: record.owner,
        spent: cents(clusters.reduce((sum, c) => sum + c.usd, 0)),
        ...(budget === undefined ? {} : { budget }),
        ...(record.stopAt === undefined ? {} : { stopAt: new Date(record.stopAt).toISOString() }),
        clusters,
      };
    })
    .sort((a, b) => a.user.localeCompare(b.user));
  return {
    month,
    spent: cents(users.reduce((sum, u) => sum + u.spent, 0)),
    ...(budgets.deployment === undefined ? {} : { budget: budgets.deployment }),
    users,
  };
}
