import { DeleteStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { performance } from "node:perf_hooks";
import { sweepLifetimes } from "../functions/cf-delete/lifetime-sweep.js";
import { harness, stack, stackIdOf } from "../tests/support/handler-harness.js";
import { testMoney } from "../tests/support/money-fakes.js";
import { basePolicy } from "../tests/support/policies.js";
import { BenchGoals } from "./bench-goals.js";

/*
 * `npm run bench:budget`: how long after a budget's crossing the
 * budget acts, measured through the sweep's own code (cf-delete's
 * sweepLifetimes, with money) on an injected clock: each trial creates a
 * cluster at a random moment, spending at a random rate against a $10
 * budget with a 60-minute grace, and sweeps every 15 minutes, as the
 * schedule does. Prints the delay from the crossing to the notice (the
 * goal: within one sweep interval, 15 minutes) and to the deletion (the
 * grace, plus at most one interval), and what one sweep costs the handler
 * with money for many running clusters (in-memory ledger and EC2: the
 * handler's own work, no network). Exits 1 when a goal is missed.
 *
 *   BENCH_BUDGET_TRIALS    trials (200)
 *   BENCH_BUDGET_CLUSTERS  running clusters for the sweep-cost figure (200)
 */

const HOUR = 3_600_000;
const MINUTE = 60_000;
const SWEEP = 15 * MINUTE;
const GIB_HOUR = 0.0928 / 730;
const trials = Number(process.env["BENCH_BUDGET_TRIALS"] ?? 200);
const clusterCount = Number(process.env["BENCH_BUDGET_CLUSTERS"] ?? 200);

/** A deterministic generator, so a run can be repeated. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** One trial: when the budget was crossed, and when the sweep gave notice and deleted. */
async function trial(next: () => number): Promise<{ notice: number; deletion: number }> {
  const h = harness({
    policy: basePolicy({
      limits: { monthlyBudget: "10", maxLifetimeHours: "168" },
      users: { alice: {} },
    }),
  });
  const world = testMoney();
  const t0 = Date.UTC(2026, 11, 2) + Math.floor(next() * 2 * HOUR);
  const nodes = 1 + Math.floor(next() * 8);
  const stackId = stackIdOf("fd-alice-c1");
  h.registry.slots.set(
    "alice",
    new Map([
      ["c1", { acquiredAt: t0, vcpus: 2, token: "t", stackId, expiresAt: t0 + 168 * HOUR }],
    ]),
  );
  world.records.add(
    { stackId, id: "i-master", type: "r4.large", launchedAt: t0, diskGiB: 30 },
    ...Array.from({ length: nodes }, (_, n) => ({
      stackId,
      id: `i-${n}`,
      type: "c7i.large",
      launchedAt: t0,
      diskGiB: 16,
    })),
  );
  h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "CREATE_COMPLETE")] });
  h.cfn.on(DeleteStackCommand).resolves({});
  const rate = 0.156 + 30 * GIB_HOUR + nodes * (0.0993 + 16 * GIB_HOUR);
  const crossing = t0 + (10 / rate) * HOUR;
  let notice = Number.NaN;
  let deletion = Number.NaN;
  const deps = { ...h.deleteDeps, money: async () => world.money };
  for (let now = Math.ceil(t0 / SWEEP) * SWEEP; Number.isNaN(deletion); now += SWEEP) {
    world.records.now = now;
    await sweepLifetimes(deps, now);
    if (Number.isNaN(notice) && h.written()["home/alice/c1.cf-expiring"] !== undefined)
      notice = now - crossing;
    if (h.cfn.commandCalls(DeleteStackCommand).length > 0) deletion = now - crossing;
    if (now > crossing + 10 * HOUR) throw new Error("the budget never acted");
  }
  h.restore();
  return { notice, deletion };
}

/** What one sweep costs the handler with money, for `count` running clusters of as many users. */
async function sweepCost(count: number): Promise<{ first: number; steady: number }> {
  const policy = basePolicy({ limits: { monthlyBudget: "1000" } });
  const h = harness({ policy });
  const world = testMoney();
  const t0 = Date.UTC(2026, 11, 2);
  for (let i = 0; i < count; i += 1) {
    const name = `fd-u${i}-c1`;
    const stackId = stackIdOf(name, `0000${i}`);
    h.registry.slots.set(
      `u${i}`,
      new Map([
        ["c1", { acquiredAt: t0, vcpus: 2, token: `t${i}`, stackId, expiresAt: t0 + 168 * HOUR }],
      ]),
    );
    world.records.add(
      { stackId, id: `i-${i}-m`, type: "r4.large", launchedAt: t0, diskGiB: 30 },
      { stackId, id: `i-${i}-1`, type: "c7i.large", market: "spot", launchedAt: t0, diskGiB: 16 },
    );
  }
  world.records.spot.push({ type: "c7i.large", zone: "eu-west-2a", at: t0 - HOUR, usd: 0.035 });
  const deps = { ...h.deleteDeps, money: async () => world.money };
  const timed = async (now: number) => {
    world.records.now = now;
    const start = performance.now();
    await sweepLifetimes(deps, now);
    return performance.now() - start;
  };
  const first = await timed(t0 + SWEEP);
  const steady: number[] = [];
  for (let k = 2; k <= 6; k += 1) steady.push(await timed(t0 + k * SWEEP));
  h.restore();
  return { first, steady: steady.sort((a, b) => a - b)[2] ?? 0 };
}

const minutes = (ms: number) => `${(ms / MINUTE).toFixed(1)} min`;
const next = random(25);
const results: Array<{ notice: number; deletion: number }> = [];
for (let i = 0; i < trials; i += 1) results.push(await trial(next));
const notices = results.map((r) => r.notice).sort((a, b) => a - b);
const deletions = results.map((r) => r.deletion).sort((a, b) => a - b);
const median = (list: number[]) => list[Math.floor(list.length / 2)] ?? Number.NaN;
const goals = new BenchGoals("bench:budget");
const GRACE = 60 * MINUTE;
console.log(
  `# bench:budget — ${trials} trials, $10 budget, 60-minute grace, sweeps every 15 minutes`,
);
goals.check(
  "crossing → notice (creates and extensions refused, .cf-expiring, email), longest",
  `${minutes(notices.at(-1) ?? Number.NaN)} (median ${minutes(median(notices))})`,
  `≤ ${minutes(SWEEP)}, one sweep interval`,
  (notices.at(-1) ?? Number.NaN) <= SWEEP,
);
goals.check(
  "crossing → deletion started, longest",
  `${minutes(deletions.at(-1) ?? Number.NaN)} (median ${minutes(median(deletions))})`,
  `≤ ${minutes(GRACE + SWEEP)}, the grace plus one interval`,
  (deletions.at(-1) ?? Number.NaN) <= GRACE + SWEEP,
);
goals.check(
  "crossing → deletion started, shortest",
  minutes(deletions[0] ?? Number.NaN),
  `≥ ${minutes(GRACE)}, the grace`,
  (deletions[0] ?? Number.NaN) >= GRACE,
);
const cost = await sweepCost(clusterCount);
goals.figure(
  `one sweep with money, ${clusterCount} running clusters of ${clusterCount} users (in-memory ledger and EC2)`,
  `${cost.first.toFixed(0)} ms the first, ${cost.steady.toFixed(0)} ms after (median of 5)`,
);
process.exitCode = goals.finish();
