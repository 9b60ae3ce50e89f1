import { HOUR_MS, monthWindow, type Month } from "./money.js";

/*
 * The spend so far, computed by the control plane from AWS's own records:
 * each instance the cluster's stack ran (EC2's launch time, its end, its
 * type, zone and market, its disks' size), priced at the price in force
 * while it ran: the spot price history for a spot instance, the on-demand
 * price otherwise, and gp3 storage for its disks. Nothing a cluster's nodes
 * report counts (their user is root there). Pure: the shell gathers the
 * records and the prices, this sums them.
 */

export type Market = "on-demand" | "spot";

/** One instance a cluster ran, as EC2 describes it. */
export interface InstanceUse {
  readonly id: string;
  readonly type: string;
  readonly zone: string;
  readonly market: Market;
  /** EC2's launch time, ms since the epoch. */
  readonly launchedAt: number;
  /** When it stopped running (terminated); `undefined` while it runs. */
  readonly endedAt?: number | undefined;
  /** GiB of EBS attached to it (deleted with it). */
  readonly diskGiB: number;
}

/** A spot price from the history: in force from `at` until the next point. */
export interface PricePoint {
  readonly at: number;
  readonly usd: number;
}

/** The prices spend is computed with. */
export interface SpendPrices {
  /** USD per hour on-demand, if known. */
  readonly onDemand: (type: string) => number | undefined;
  /**
   * The spot price history of a type in a zone, oldest first, covering the
   * instance's time (its first point at or before the instance's launch when
   * AWS has one). Empty when unknown.
   */
  readonly spotHistory: (type: string, zone: string) => readonly PricePoint[];
  /** USD per GiB-hour of disk. */
  readonly diskPerGiBHour: number;
}

/** What an instance cost in a window, and whether it could be priced. */
export interface InstanceCost {
  readonly usd: number;
  readonly hours: number;
  /** True when no price was known: the instance counted nothing. */
  readonly unpriced: boolean;
}

/** The integral of a stepwise price history over `[from, to)`, in USD (prices per hour). */
function integrateHistory(history: readonly PricePoint[], from: number, to: number): number {
  if (to <= from || history.length === 0) return 0;
  let total = 0;
  for (let i = 0; i < history.length; i += 1) {
    const point = history[i] as PricePoint;
    // The first point also covers any time before it: the best price known for it.
    const start = i === 0 ? from : Math.max(point.at, from);
    const next = history[i + 1];
    const end = next === undefined ? to : Math.min(next.at, to);
    if (end > start) total += (point.usd * (end - start)) / HOUR_MS;
  }
  return total;
}

/** What one instance cost within `[from, to)`: its running hours there, priced, and its disk. */
function instanceCost(
  use: InstanceUse,
  prices: SpendPrices,
  from: number,
  to: number,
): InstanceCost {
  const start = Math.max(use.launchedAt, from);
  const end = Math.min(use.endedAt ?? to, to);
  if (end <= start) return { usd: 0, hours: 0, unpriced: false };
  const hours = (end - start) / HOUR_MS;
  const disk = use.diskGiB * prices.diskPerGiBHour * hours;
  if (use.market === "spot") {
    const history = [...prices.spotHistory(use.type, use.zone)].sort((a, b) => a.at - b.at);
    if (history.length > 0) {
      return { usd: integrateHistory(history, start, end) + disk, hours, unpriced: false };
    }
  }
  // On-demand, or spot with no history: the on-demand price, which spot never passes.
  const hourly = prices.onDemand(use.type);
  return hourly === undefined
    ? { usd: disk, hours, unpriced: true }
    : { usd: hourly * hours + disk, hours, unpriced: false };
}

/** A cluster's spend within a window. */
export interface Spend {
  readonly usd: number;
  /** Instance-hours within the window. */
  readonly instanceHours: number;
  /** Instance types that had no price (counted only by their disks). */
  readonly unpriced: readonly string[];
}

/** What a cluster's instances cost within `[from, to)`. */
export function spendWithin(
  uses: readonly InstanceUse[],
  prices: SpendPrices,
  from: number,
  to: number,
): Spend {
  let total = 0;
  let hours = 0;
  const unpriced = new Set<string>();
  for (const use of uses) {
    const cost = instanceCost(use, prices, from, to);
    total += cost.usd;
    hours += cost.hours;
    if (cost.unpriced) unpriced.add(use.type);
  }
  return { usd: total, instanceHours: hours, unpriced: [...unpriced].sort() };
}

/**
 * A cluster's spend in each month it ran, up to `nowMs`: what the sweep
 * keeps per cluster and per month, so a cluster that runs over a month's
 * end counts in both.
 */
export function spendByMonth(
  uses: readonly InstanceUse[],
  prices: SpendPrices,
  months: readonly Month[],
  nowMs: number,
): Record<Month, number> {
  const byMonth: Record<Month, number> = {};
  for (const month of months) {
    const { start, end } = monthWindow(month);
    const spent = spendWithin(uses, prices, start, Math.min(end, nowMs)).usd;
    if (spent > 0) byMonth[month] = spent;
  }
  return byMonth;
}
