import { monthsBetween, roundUsd } from "../shared/money.js";
import {
  diskPricePerGiBHour,
  onDemandPrice,
  spotPriceIn,
  type PriceBook,
} from "../shared/price-book.js";
import {
  spendByMonth,
  type InstanceUse,
  type PricePoint,
  type SpendPrices,
} from "../shared/spend.js";
import { fillDiskSizes, mergeInstances } from "../shared/usage-record.js";
import type { StackInstance } from "../shared/runtime/ec2-records.js";
import type { Money } from "../shared/runtime/money.js";
import type { ClusterUsage } from "../shared/runtime/usage-ledger.js";

/*
 * Accrual: the spend of running clusters, brought up to now from EC2's
 * records. One DescribeInstances for every cluster (by their stacks' ids),
 * one DescribeVolumes for instances seen for the first time, one spot price
 * history for the spot instances' types and zones; then each cluster's
 * record is merged, priced and written, with its spend per month.
 * Recomputed from the record each time, so a sweep delivered twice, or a
 * DELETE_COMPLETE racing one, gives the same figures.
 */

/** A cluster to accrue: whose it is and its stack. */
export interface ClusterRun {
  readonly user: string;
  readonly cluster: string;
  readonly stackId: string;
  /** When its slot was taken: the cluster's creation, should the ledger not know it yet. */
  readonly createdAt: number;
}

/** The prices spend needs, from the book and the spot price history. */
function spendPrices(
  book: PriceBook | undefined,
  history: ReadonlyMap<string, readonly PricePoint[]>,
): SpendPrices {
  return {
    onDemand: (type) => onDemandPrice(book, type),
    spotHistory: (type, zone) => {
      const points = history.get(`${type} ${zone}`);
      if (points !== undefined && points.length > 0) return points;
      // No history (too old, or refused): the book's spot price as of its date.
      const price = spotPriceIn(book, type, zone);
      return price === undefined ? [] : [{ at: 0, usd: price }];
    },
    diskPerGiBHour: diskPricePerGiBHour(book),
  };
}

/** The spot history for these instances' spot types and zones, from the earliest one's launch. */
async function historyFor(
  money: Money,
  uses: readonly InstanceUse[],
  nowMs: number,
): Promise<Map<string, PricePoint[]>> {
  const spot = uses.filter((use) => use.market === "spot");
  const history = new Map<string, PricePoint[]>();
  if (spot.length === 0) return history;
  const start = Math.min(...spot.map((use) => use.launchedAt));
  const quotes = await money.records.spotHistory({
    types: [...new Set(spot.map((use) => use.type))],
    zones: [...new Set(spot.map((use) => use.zone))],
    start,
    end: nowMs,
  });
  for (const quote of quotes) {
    const key = `${quote.type} ${quote.zone}`;
    history.set(key, [...(history.get(key) ?? []), { at: quote.at, usd: quote.usd }]);
  }
  for (const points of history.values()) points.sort((a, b) => a.at - b.at);
  return history;
}

/** Brings each record up to date with what EC2 shows, with disk sizes for new instances. */
async function mergedRecords(
  money: Money,
  runs: readonly ClusterRun[],
  nowMs: number,
): Promise<Array<{ run: ClusterRun; known: ClusterUsage | undefined; uses: InstanceUse[] }>> {
  const observed = await money.records.stackInstances(runs.map((run) => run.stackId));
  const byStack = new Map<string, StackInstance[]>();
  for (const seen of observed)
    byStack.set(seen.stackId, [...(byStack.get(seen.stackId) ?? []), seen]);
  const knowns = await Promise.all(runs.map((run) => money.ledger.cluster(run.user, run.stackId)));
  const fresh = runs.flatMap((run, i) => {
    const known = new Set(knowns[i]?.instances.map((use) => use.id) ?? []);
    return (byStack.get(run.stackId) ?? []).filter((seen) => !known.has(seen.instance.id));
  });
  const volumeIds = fresh.flatMap((seen) => seen.volumeIds);
  const sizes =
    volumeIds.length === 0 ? new Map<string, number>() : await money.records.volumeSizes(volumeIds);
  return runs.map((run, i) => {
    const seen = (byStack.get(run.stackId) ?? []).map(({ instance, volumeIds: volumes }) => {
      const sized = volumes.filter((id) => sizes.has(id));
      return sized.length === 0
        ? instance
        : { ...instance, diskGiB: sized.reduce((sum, id) => sum + (sizes.get(id) ?? 0), 0) };
    });
    const known = knowns[i];
    return { run, known, uses: fillDiskSizes(mergeInstances(known?.instances ?? [], seen, nowMs)) };
  });
}

/**
 * Accrues these clusters' spend up to `nowMs` and records it, per cluster
 * and per month in the user's month; `final` once the clusters are deleted.
 * Returns the records written (a record another writer had already made
 * final is returned as that writer left it).
 */
export async function accrueSpend(
  money: Money,
  book: PriceBook | undefined,
  runs: readonly ClusterRun[],
  nowMs: number,
  final = false,
): Promise<ClusterUsage[]> {
  if (runs.length === 0) return [];
  const records = await mergedRecords(money, runs, nowMs);
  const history = await historyFor(
    money,
    records.flatMap((r) => r.uses),
    nowMs,
  );
  const prices = spendPrices(book, history);
  const written: ClusterUsage[] = [];
  for (const { run, known, uses } of records) {
    const createdAt = known?.createdAt ?? run.createdAt;
    const months = monthsBetween(Math.min(createdAt, ...uses.map((u) => u.launchedAt)), nowMs + 1);
    const spend = Object.fromEntries(
      Object.entries(spendByMonth(uses, prices, months, nowMs)).map(([m, usd]) => [
        m,
        roundUsd(usd),
      ]),
    );
    const entry: ClusterUsage = {
      user: run.user,
      cluster: run.cluster,
      stackId: run.stackId,
      createdAt,
      maxPerHour: known?.maxPerHour,
      instances: uses,
      spend,
      through: nowMs,
      final,
      version: known?.version ?? 0,
    };
    const saved = await money.ledger.saveCluster(entry);
    const record = saved ? entry : ((await money.ledger.cluster(run.user, run.stackId)) ?? entry);
    if (saved) {
      for (const [month, usd] of Object.entries(spend))
        await money.ledger.setClusterSpend(run.user, month, run.stackId, run.cluster, usd);
    }
    written.push(record);
  }
  return written;
}

/** A record's spend over all its months. */
export const totalOf = (usage: Pick<ClusterUsage, "spend">): number =>
  Object.values(usage.spend).reduce((sum, usd) => sum + usd, 0);
