import type { Invocation } from "../../tests/support/storm/lambda-invocation.js";
import type { CloudStats } from "../../tests/support/storm/storm-servers.js";

/* How bench:storm computes and prints its figures. */

/** The p-th percentile (nearest rank); NaN for no values. */
export function pct(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(rank, 1)) - 1] ?? NaN;
}

export const ms = (n: number) =>
  Number.isNaN(n) ? "-" : `${n.toLocaleString("en", { maximumFractionDigits: 0 })} ms`;
export const ms1 = (n: number) => (Number.isNaN(n) ? "-" : `${n.toFixed(1)} ms`);
export const seconds = (msValue: number) => `${(msValue / 1000).toFixed(1)} s`;
export const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
/** The highest value; NaN for none (never -Infinity, which would meet an upper bound). */
export const most = (values: readonly number[]) =>
  values.length === 0 ? Number.NaN : Math.max(...values);

/** The seed's billed time per cluster lifecycle, which the goal is measured against. */
const SEED_BILLED_MS = 600_000;
/** The goal: at most this per lifecycle, i.e. at least 200× less than the seed. */
export const BILLED_GOAL_MS = 3_000;
export const BILLED_GOAL = `≤ 3,000 ms, i.e. ≥ ${SEED_BILLED_MS / BILLED_GOAL_MS}× less than the seed's 600,000 ms`;
export const billedFigure = (billed: number) =>
  `${ms(billed)} (${(SEED_BILLED_MS / billed).toFixed(0)}× less than 600,000 ms)`;

/** Each phase's wall time, printed as it ends and again at the end. */
export const phases: Array<[string, number]> = [];

export async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const took = performance.now() - started;
    phases.push([name, took]);
    console.log(`  [phase ${name}: ${seconds(took)}]`);
  }
}

/** A table of warm durations by kind of event. */
export function durationsByKind(invocations: readonly Invocation[]): void {
  const kinds = [...new Set(invocations.map((i) => i.kind))].sort();
  console.log("  kind                         count   p50      p95      p99   (warm, ms)");
  for (const kind of kinds) {
    const d = invocations.filter((i) => i.kind === kind && !i.cold).map((i) => i.durationMs);
    console.log(
      `  ${kind.padEnd(28)} ${String(d.length).padStart(5)} ${ms(pct(d, 50)).padStart(8)} ${ms(pct(d, 95)).padStart(8)} ${ms(pct(d, 99)).padStart(8)}`,
    );
  }
}

/** The cold starts among `invocations`: how many, and their init (the environment's start). */
export function coldStarts(invocations: readonly Invocation[]): string {
  const inits = invocations.filter((i) => i.cold).map((i) => i.initMs);
  if (inits.length === 0) return "cold starts 0";
  return `cold starts ${inits.length}, init p50 ${ms(pct(inits, 50))}, max ${ms(most(inits))}`;
}

/** CloudFormation calls since `from` (SES's SendEmail, served by the same fake, left out). */
export function cloudCalls(stats: CloudStats, from = 0): number {
  return stats.calls.slice(from).filter((action) => action !== "SendEmail").length;
}

export function callsByAction(stats: CloudStats, from = 0): string {
  const counts = new Map<string, number>();
  for (const action of stats.calls.slice(from)) counts.set(action, (counts.get(action) ?? 0) + 1);
  return [...counts].map(([a, n]) => `${a} ${n}`).join(", ");
}

export const throttled = (stats: CloudStats) => stats.throttledAtRandom + stats.throttledByBudget;
