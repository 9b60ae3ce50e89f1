import type { Month } from "../../functions/shared/money.js";
import type {
  ClusterUsage,
  MonthUsage,
  UsageLedger,
} from "../../functions/shared/runtime/usage-ledger.js";

/*
 * The usage ledger in memory, for handler tests and the budget bench: the
 * same answers as the DynamoDB one (tests/functions/shared/runtime/
 * usage-ledger.test.ts runs one contract against both), without a server.
 */

type MutableMonth = {
  clusters: Record<string, { cluster: string; usd: number }>;
  users: Record<string, number>;
  warnedFor?: number;
  stopAt?: number;
};

export class MemoryUsageLedger implements UsageLedger {
  readonly clusters = new Map<string, ClusterUsage>();
  readonly months = new Map<string, MutableMonth>();

  private monthOf(owner: string, month: Month): MutableMonth {
    const key = `${owner} ${month}`;
    const found = this.months.get(key) ?? { clusters: {}, users: {} };
    this.months.set(key, found);
    return found;
  }

  async cluster(user: string, stackId: string): Promise<ClusterUsage | undefined> {
    return this.clusters.get(`${user} ${stackId}`);
  }

  async openCluster(
    entry: Pick<ClusterUsage, "user" | "cluster" | "stackId" | "createdAt" | "maxPerHour">,
  ): Promise<void> {
    const key = `${entry.user} ${entry.stackId}`;
    if (this.clusters.has(key)) return;
    this.clusters.set(key, {
      ...entry,
      instances: [],
      spend: {},
      through: 0,
      final: false,
      version: 0,
    });
  }

  async saveCluster(entry: ClusterUsage): Promise<boolean> {
    const key = `${entry.user} ${entry.stackId}`;
    const known = this.clusters.get(key);
    if (known !== undefined && (known.version !== entry.version || known.final)) return false;
    if (known === undefined && entry.version !== 0) return false;
    this.clusters.set(key, { ...entry, version: entry.version + 1 });
    return true;
  }

  async month(owner: string, month: Month): Promise<MonthUsage> {
    const found = this.months.get(`${owner} ${month}`);
    return {
      owner,
      month,
      clusters: { ...found?.clusters },
      users: { ...found?.users },
      warnedFor: found?.warnedFor,
      stopAt: found?.stopAt,
    };
  }

  async monthsOf(month: Month): Promise<MonthUsage[]> {
    const owners = [...this.months.keys()]
      .filter((key) => key.endsWith(` ${month}`))
      .map((key) => key.slice(0, -month.length - 1));
    return Promise.all(owners.map((owner) => this.month(owner, month)));
  }

  async setClusterSpend(user: string, month: Month, stackId: string, cluster: string, usd: number) {
    this.monthOf(user, month).clusters[stackId] = { cluster, usd };
  }

  async setUserSpend(month: Month, user: string, usd: number): Promise<void> {
    this.monthOf("#deployment", month).users[user] = usd;
  }

  async markWarned(owner: string, month: Month, budget: number): Promise<boolean> {
    const found = this.monthOf(owner, month);
    if (found.warnedFor === budget) return false;
    found.warnedFor = budget;
    return true;
  }

  async markStop(owner: string, month: Month, stopAt: number): Promise<boolean> {
    const found = this.monthOf(owner, month);
    if (found.stopAt !== undefined) return false;
    found.stopAt = stopAt;
    return true;
  }

  async liftStop(owner: string, month: Month): Promise<void> {
    delete this.monthOf(owner, month).stopAt;
  }
}
