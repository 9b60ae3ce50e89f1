import { cpus } from "node:os";
import { USER_BUCKET } from "../tests/support/local-aws.js";
import type { FakeStack } from "../tests/support/fake-cloudformation.js";
import type { Invocation } from "../tests/support/storm/lambda-model.js";
import { INSTANT, type CloudBehaviour } from "../tests/support/storm/storm-cloudformation.js";
import {
  STORM_CLUSTER_CONFIG,
  StormWorld,
  type StormOptions,
} from "../tests/support/storm/storm-world.js";

/*
 * `npm run bench:storm`: the BUILT bundles (run `npm run build` first) as
 * Lambda runs them, against s3rver, dynalite and a CloudFormation that is
 * slow, throttled per account and settles stacks on its own, announcing each
 * status on EventBridge (see tests/support/storm). Prints figures and their
 * goals; asserts nothing about time. Everything runs in this one process on
 * loopback, so handler durations include waiting for a shared event loop.
 *
 *   BENCH_STORM_USERS / BENCH_STORM_CLUSTERS  the storm's size (50 × 20)
 */

const USERS = Number(process.env.BENCH_STORM_USERS ?? 50);
const CLUSTERS = Number(process.env.BENCH_STORM_CLUSTERS ?? 20);

/** CloudFormation as the storm meets it; printed with the figures. */
const REALISTIC: CloudBehaviour = {
  latencyMs: [50, 150],
  throttleRate: 0.1,
  // The account's CloudFormation request budget, shared by every action.
  budget: { perSecond: 50, burst: 100 },
  // A 10-minute build, scaled down: settlement only has to come later, and out of order.
  settleMs: [500, 3000],
  deliveryMs: [50, 1000],
  duplicateRate: 0.05,
  seed: 2026,
};

const base = (cloud: CloudBehaviour, users = 1, clustersPerUser = 1): StormOptions => ({
  users,
  clustersPerUser,
  cloud,
  s3LatencyMs: cloud === INSTANT ? [0, 0] : [10, 30],
  // The functions' reserved concurrency, as the default settings give it.
  concurrency: { create: 10, delete: 5 },
  // Lambda waits ~1 and ~2 minutes before its retries; scaled down 60×.
  retryDelaysMs: [1000, 2000],
  s3DuplicateRate: cloud.duplicateRate,
  uploadParallelism: 20,
});

const pct = (values: readonly number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const ms = (n: number) => (Number.isNaN(n) ? "-" : `${n.toFixed(0)} ms`);
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const verdict = (ok: boolean) => (ok ? "met" : "NOT MET");

function durationsByKind(invocations: readonly Invocation[]): void {
  const kinds = [...new Set(invocations.map((i) => i.kind))].sort();
  console.log("  kind                         count   p50      p95      p99   (warm, ms)");
  for (const kind of kinds) {
    const d = invocations.filter((i) => i.kind === kind && !i.cold).map((i) => i.durationMs);
    console.log(
      `  ${kind.padEnd(28)} ${String(d.length).padStart(5)} ${ms(pct(d, 50)).padStart(8)} ${ms(pct(d, 95)).padStart(8)} ${ms(pct(d, 99)).padStart(8)}`,
    );
  }
}

function cloudCalls(world: StormWorld, from = 0): number {
  return world.cloud.calls.slice(from).filter((c) => c.action !== "SendEmail").length;
}

function callsByAction(world: StormWorld, from = 0): string {
  const counts = new Map<string, number>();
  for (const c of world.cloud.calls.slice(from))
    counts.set(c.action, (counts.get(c.action) ?? 0) + 1);
  return [...counts].map(([a, n]) => `${a} ${n}`).join(", ");
}

/** One cluster at a time: the same CloudFormation, settling sooner, and no doubled events. */
const SINGLE: CloudBehaviour = {
  ...REALISTIC,
  settleMs: [200, 400],
  deliveryMs: [50, 150],
  duplicateRate: 0,
};

/** Scenario 1: every user creates every cluster at once, then deletes them all. */
async function storm(): Promise<number> {
  const total = USERS * CLUSTERS;
  console.log(
    `\n## 1. Storm: ${USERS} users × ${CLUSTERS} clusters = ${total} creates, then ${total} deletes`,
  );
  const world = await new StormWorld(base(REALISTIC, USERS, CLUSTERS)).start();
  let billed = 0;
  try {
    for (const phase of ["create", "delete"] as const) {
      world.newPhase();
      const callsBefore = cloudCalls(world);
      const invBefore = world.create.invocations.length + world.delete.invocations.length;
      const throttledBefore = world.cloud.throttledAtRandom + world.cloud.throttledByBudget;
      const started = performance.now();
      await world.drop(phase);
      const dropped = performance.now() - started;
      await world.drained();
      const drainedMs = performance.now() - started;
      const audit = await world.audit(phase === "create" ? "created" : "deleted");
      const invocations = [...world.create.invocations, ...world.delete.invocations].slice(
        invBefore,
      );
      const clean =
        audit.lost.length === 0 &&
        audit.duplicatedStacks.length === 0 &&
        audit.wrongFiles.length === 0 &&
        audit.wrongStacks.length === 0 &&
        audit.deadLetters === 0;
      console.log(`\n### ${phase}s`);
      console.log(`  uploaded in ${ms(dropped)}, drained in ${(drainedMs / 1000).toFixed(1)} s`);
      console.log(
        `  lost ${audit.lost.length}, duplicated stacks ${audit.duplicatedStacks.length}, ` +
          `other result files ${audit.wrongFiles.length}, wrong stacks ${audit.wrongStacks.length}, ` +
          `dead-lettered ${audit.deadLetters} → ${clean ? "clean (goal met)" : "NOT CLEAN (goal not met)"}`,
      );
      for (const list of [
        audit.lost,
        audit.duplicatedStacks,
        audit.wrongFiles,
        audit.wrongStacks,
      ]) {
        if (list.length > 0) console.log(`    ${list.slice(0, 5).join("; ")}`);
      }
      console.log(`  result files written per request: ${audit.resultWritesPerRequest.toFixed(2)}`);
      console.log(
        `  CloudFormation calls per request: ${(cloudCalls(world, callsBefore) / total).toFixed(2)} ` +
          `(${callsByAction(world, callsBefore)})`,
      );
      console.log(
        `  throttled by CloudFormation: ${world.cloud.throttledAtRandom + world.cloud.throttledByBudget - throttledBefore} ` +
          `(the SDK retries these within the invocation)`,
      );
      console.log(
        `  invocations ${invocations.length}, Lambda retries ${invocations.filter((i) => i.attempt > 0).length}, ` +
          `cold starts ${invocations.filter((i) => i.cold).length}`,
      );
      durationsByKind(invocations);
      billed += sum(invocations.map((i) => i.billedMs));
    }
    const perLifecycle = billed / total;
    console.log(
      `\n  billed Lambda time per cluster lifecycle, storm-wide: ${ms(perLifecycle)} ` +
        `(${(600_000 / perLifecycle).toFixed(0)}× less than the seed's 600,000 ms)`,
    );
    return perLifecycle;
  } finally {
    await world.stop();
  }
}

function foreignStack(i: number): FakeStack {
  return {
    stackId: `arn:aws:cloudformation:eu-west-2:111122223333:stack/other-${i}/${String(i).padStart(8, "0")}`,
    name: `other-${i}`,
    status: i % 7 === 0 ? "UPDATE_COMPLETE" : "CREATE_COMPLETE",
    parameters: {},
    tags: { Team: "someone-else" },
    outputs: {},
    events: [],
  };
}

async function settle(world: StormWorld): Promise<void> {
  await world.drained();
}

/** One create and its delete, by one user, each on a warm function; returns the lifecycle's invocations. */
async function lifecycle(
  world: StormWorld,
  cluster: string,
): Promise<{
  createCalls: number;
  lifecycleCalls: number;
  createRequest: Invocation[];
  all: Invocation[];
}> {
  const user = world.users[0] ?? "";
  const callsBefore = cloudCalls(world);
  const createsBefore = world.create.invocations.length;
  const deletesBefore = world.delete.invocations.length;
  const inv = () => [
    ...world.create.invocations.slice(createsBefore),
    ...world.delete.invocations.slice(deletesBefore),
  ];
  await world.aws.put(USER_BUCKET, `home/${user}/${cluster}.cf-create`, STORM_CLUSTER_CONFIG);
  // The create request's calls: everything until its invocation ends.
  while (!world.create.invocations.slice(createsBefore).some((i) => i.kind === "create request")) {
    await new Promise((r) => setTimeout(r, 2));
  }
  const createCalls = cloudCalls(world, callsBefore);
  await settle(world);
  await world.aws.put(USER_BUCKET, `home/${user}/${cluster}.cf-delete`, "please\n");
  await settle(world);
  const all = inv();
  return {
    createCalls,
    lifecycleCalls: cloudCalls(world, callsBefore),
    createRequest: all.filter((i) => i.kind === "create request"),
    all,
  };
}

/** Scenario 2: a single create against accounts of growing size. */
async function accountSize(): Promise<number> {
  console.log("\n## 2. Account size: one create (warm) against an account holding N other stacks");
  console.log(
    "  N        CFN calls (create request)  CFN calls (whole lifecycle)  handler time (create request)",
  );
  let worst = 0;
  for (const n of [10, 1_000, 10_000]) {
    const world = await new StormWorld(base(SINGLE)).start();
    try {
      for (let i = 0; i < n; i += 1) world.cloud.stacks.push(foreignStack(i));
      await lifecycle(world, "warmup");
      const { createCalls, lifecycleCalls, createRequest } = await lifecycle(world, "c1");
      worst = Math.max(worst, createCalls);
      console.log(
        `  ${String(n).padEnd(8)} ${String(createCalls).padStart(10)}                  ${String(lifecycleCalls).padStart(10)}              ${ms(createRequest[0]?.durationMs ?? NaN).padStart(8)}`,
      );
    } finally {
      await world.stop();
    }
  }
  console.log(
    `  goal: flat, ≤ 5 CloudFormation calls per create → ${verdict(worst <= 5)} (most: ${worst})`,
  );
  return worst;
}

/** Scenarios 3 and 4: billed time of one lifecycle, with AWS latency and without. */
async function perLifecycle(
  cloud: CloudBehaviour,
  label: string,
): Promise<{ all: Invocation[]; billed: number[] }> {
  const world = await new StormWorld(base(cloud)).start();
  try {
    await lifecycle(world, "warmup");
    const runs: Invocation[][] = [];
    for (let i = 1; i <= 10; i += 1) runs.push((await lifecycle(world, `c${i}`)).all);
    const billed = runs.map((r) => sum(r.map((i) => i.billedMs)));
    const cold = await new StormWorld(base(cloud)).start();
    let coldBilled = 0;
    try {
      coldBilled = sum((await lifecycle(cold, "c1")).all.map((i) => i.billedMs));
    } finally {
      await cold.stop();
    }
    console.log(
      `  ${label}: billed per lifecycle (create request, CREATE_COMPLETE, delete request, DELETE_COMPLETE), ` +
        `warm median ${ms(pct(billed, 50))}, max ${ms(Math.max(...billed))}; ` +
        `first lifecycle on fresh environments ${ms(coldBilled)} (handler time; init not billed here)`,
    );
    return { all: runs.flat(), billed };
  } finally {
    await world.stop();
  }
}

const started = performance.now();
console.log(
  `# bench:storm — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, node ${process.version}`,
);
console.log(
  `CloudFormation: ${REALISTIC.latencyMs.join("–")} ms a call, ${REALISTIC.throttleRate * 100} % refused at random, ` +
    `an account budget of ${REALISTIC.budget.perSecond}/s (burst ${REALISTIC.budget.burst}); stacks settle after ` +
    `${REALISTIC.settleMs.join("–")} ms; EventBridge delivers after ${REALISTIC.deliveryMs.join("–")} ms, ` +
    `${REALISTIC.duplicateRate * 100} % twice. S3: 10–30 ms a request, 5 % of notifications twice. ` +
    `Reserved concurrency: cf-create 10, cf-delete 5. Lambda retries after 1 s and 2 s (60× faster than real).`,
);

const stormBilled = process.env.BENCH_STORM_SKIP === "1" ? Number.NaN : await storm();
await accountSize();
console.log("\n## 3. Lambda time per cluster lifecycle, with the latency above");
const realistic = await perLifecycle(SINGLE, "realistic");
const realisticBilled = pct(realistic.billed, 50);
console.log(
  `  goal ≤ 3,000 ms and ≥ 200× less than 600,000 ms: warm ${verdict(realisticBilled <= 3000)} ` +
    `(${(600_000 / realisticBilled).toFixed(0)}×); storm-wide ${verdict(stormBilled <= 3000)} (${(600_000 / stormBilled).toFixed(0)}×)`,
);
console.log("\n## 4. Handler work without AWS latency (instant fake), warm");
const instant = await perLifecycle(INSTANT, "instant");
const perEvent = instant.all.map((i) => i.durationMs);
durationsByKind(instant.all);
console.log(
  `  p50 per event ${ms(pct(perEvent, 50))}: goal ≤ 20 ms → ${verdict(pct(perEvent, 50) <= 20)}`,
);
console.log(`\nbench:storm took ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exit(0);
