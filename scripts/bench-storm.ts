import { cpus } from "node:os";
import { DEFAULT_CONCURRENCY, DEFAULT_LIMITS } from "../stacks/settings/settings-shape.js";
import type { Invocation } from "../tests/support/storm/lambda-model.js";
import { INSTANT, type CloudBehaviour } from "../tests/support/storm/storm-cloudformation.js";
import type { CloudStats } from "../tests/support/storm/storm-servers.js";
import {
  STORM_CLUSTER_CONFIG,
  stormUser,
  StormWorld,
  type StormOptions,
} from "../tests/support/storm/storm-world.js";

/*
 * `npm run bench:storm`: the BUILT bundles (run `npm run build` first) as
 * Lambda runs them, against s3rver, dynalite and a CloudFormation that is
 * slow, throttled per account and settles stacks on its own, announcing each
 * status on EventBridge (see tests/support/storm). Prints figures and their
 * goals; asserts nothing about time. The servers (s3rver, the S3 latency
 * proxy, dynalite, the fake CloudFormation/SES) run in a child process, the
 * handlers in this one, so a handler's duration does not include the servers'
 * work, and this process's CPU time during a lone invocation is the
 * handler's own.
 *
 *   BENCH_STORM_USERS / BENCH_STORM_CLUSTERS  the storm's size (50 × 20)
 *   BENCH_STORM_ONLY       some scenarios: storm,accounts,realistic,instant,fairness (all)
 *   BENCH_STORM_FLOOD      uploads in scenario 5's flood (2,000)
 *   BENCH_STORM_LIFECYCLES warm lifecycles in scenario 3 (10)
 *   BENCH_STORM_INSTANT_LIFECYCLES
 *                          warm lifecycles in scenario 4 (30: its events take
 *                          milliseconds, so more of them steady the median);
 *                          with BENCH_STORM_ONLY=instant, a workload to
 *                          profile with `node --cpu-prof --import tsx`
 */

const USERS = Number(process.env.BENCH_STORM_USERS ?? 50);
const CLUSTERS = Number(process.env.BENCH_STORM_CLUSTERS ?? 20);
const ONLY = new Set(
  (process.env.BENCH_STORM_ONLY ?? "storm,accounts,realistic,instant,fairness").split(","),
);
const FLOOD = Number(process.env.BENCH_STORM_FLOOD ?? 2000);
const LIFECYCLES = Number(process.env.BENCH_STORM_LIFECYCLES ?? 10);
const INSTANT_LIFECYCLES = Number(process.env.BENCH_STORM_INSTANT_LIFECYCLES ?? 30);

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
  concurrency: DEFAULT_CONCURRENCY,
  // Lambda waits ~1 and ~2 minutes before its retries; scaled down 60×.
  retryDelaysMs: [1000, 2000],
  s3DuplicateRate: cloud.duplicateRate,
  uploadParallelism: 20,
  serversOutOfProcess: true,
});

/** Each phase's wall time, printed as it ends and again at the end. */
const phases: Array<[string, number]> = [];
const seconds = (msValue: number) => `${(msValue / 1000).toFixed(1)} s`;
async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const took = performance.now() - started;
    phases.push([name, took]);
    console.log(`  [phase ${name}: ${seconds(took)}]`);
  }
}

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

function cloudCalls(stats: CloudStats, from = 0): number {
  return stats.calls.slice(from).filter((action) => action !== "SendEmail").length;
}

function callsByAction(stats: CloudStats, from = 0): string {
  const counts = new Map<string, number>();
  for (const action of stats.calls.slice(from)) counts.set(action, (counts.get(action) ?? 0) + 1);
  return [...counts].map(([a, n]) => `${a} ${n}`).join(", ");
}

const throttled = (stats: CloudStats) => stats.throttledAtRandom + stats.throttledByBudget;

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
    for (const action of ["create", "delete"] as const) {
      world.newPhase();
      const before = await world.servers.cloudStats();
      const invBefore = world.create.invocations.length + world.delete.invocations.length;
      const started = performance.now();
      let dropped = 0;
      await phase(`storm ${action}s`, async () => {
        await world.drop(action);
        dropped = performance.now() - started;
        await world.drained();
      });
      const drainedMs = performance.now() - started;
      const auditStarted = performance.now();
      const audit = await world.audit(action === "create" ? "created" : "deleted");
      const auditMs = performance.now() - auditStarted;
      const after = await world.servers.cloudStats();
      const invocations = [...world.create.invocations, ...world.delete.invocations].slice(
        invBefore,
      );
      const clean =
        audit.lost.length === 0 &&
        audit.duplicatedStacks.length === 0 &&
        audit.wrongFiles.length === 0 &&
        audit.wrongStacks.length === 0 &&
        audit.deadLetters === 0;
      console.log(`\n### ${action}s`);
      console.log(
        `  uploaded in ${ms(dropped)}, drained in ${seconds(drainedMs)} (audit ${ms(auditMs)})`,
      );
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
        `  CloudFormation calls per request: ${(cloudCalls(after, before.calls.length) / total).toFixed(2)} ` +
          `(${callsByAction(after, before.calls.length)})`,
      );
      console.log(
        `  throttled by CloudFormation: ${throttled(after) - throttled(before)} ` +
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
  const callsBefore = (await world.servers.cloudStats()).calls.length;
  const createsBefore = world.create.invocations.length;
  const deletesBefore = world.delete.invocations.length;
  const inv = () => [
    ...world.create.invocations.slice(createsBefore),
    ...world.delete.invocations.slice(deletesBefore),
  ];
  await world.put(`home/${user}/${cluster}.cf-create`, STORM_CLUSTER_CONFIG);
  // The create request's calls: everything until its invocation ends.
  await world.create.invoked(createsBefore, (i) => i.kind === "create request");
  const createCalls = cloudCalls(await world.servers.cloudStats(), callsBefore);
  await world.drained();
  await world.put(`home/${user}/${cluster}.cf-delete`, "please\n");
  await world.drained();
  const all = inv();
  return {
    createCalls,
    lifecycleCalls: cloudCalls(await world.servers.cloudStats(), callsBefore),
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
  // One account that grows: 10 other stacks, then 1,000, then 10,000, with one warm-up first.
  const world = await new StormWorld(base(SINGLE)).start();
  try {
    await lifecycle(world, "warmup");
    let held = 0;
    for (const n of [10, 1_000, 10_000]) {
      await world.servers.addForeignStacks(n - held);
      held = n;
      const { createCalls, lifecycleCalls, createRequest } = await lifecycle(world, `c${n}`);
      worst = Math.max(worst, createCalls);
      console.log(
        `  ${String(n).padEnd(8)} ${String(createCalls).padStart(10)}                  ${String(lifecycleCalls).padStart(10)}              ${ms(createRequest[0]?.durationMs ?? NaN).padStart(8)}`,
      );
    }
  } finally {
    await world.stop();
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
  lifecycles: number,
): Promise<{ all: Invocation[]; billed: number[] }> {
  const world = await new StormWorld(base(cloud)).start();
  try {
    await lifecycle(world, "warmup");
    const runs: Invocation[][] = [];
    for (let i = 1; i <= lifecycles; i += 1) runs.push((await lifecycle(world, `c${i}`)).all);
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
    `Reserved concurrency: cf-create ${DEFAULT_CONCURRENCY.create}, cf-delete ${DEFAULT_CONCURRENCY.delete}. Lambda retries after 1 s and 2 s (60× faster than real).`,
);

const stormBilled = ONLY.has("storm") ? await phase("storm (both)", storm) : Number.NaN;
if (ONLY.has("accounts")) await phase("account sizes 10 / 1,000 / 10,000", accountSize);
if (ONLY.has("realistic")) {
  console.log("\n## 3. Lambda time per cluster lifecycle, with the latency above");
  const realistic = await phase("lifecycles, realistic", () =>
    perLifecycle(SINGLE, "realistic", LIFECYCLES),
  );
  const realisticBilled = pct(realistic.billed, 50);
  console.log(
    `  goal ≤ 3,000 ms and ≥ 200× less than 600,000 ms: warm ${verdict(realisticBilled <= 3000)} ` +
      `(${(600_000 / realisticBilled).toFixed(0)}×); storm-wide ${verdict(stormBilled <= 3000)} (${(600_000 / stormBilled).toFixed(0)}×)`,
  );
}
if (ONLY.has("instant")) await handlerWork();

async function handlerWork(): Promise<void> {
  console.log("\n## 4. Handler work without AWS latency (instant fake), warm");
  const instant = await phase("lifecycles, instant", () =>
    perLifecycle(INSTANT, "instant", INSTANT_LIFECYCLES),
  );
  console.log(
    "  One invocation at a time. wall = the handler's duration (its own work + the local servers'\n" +
      "  time, in another process); own = this process's CPU time during the invocation (user + system),\n" +
      "  the handler's own work. The goal (handler work) is judged on own time.",
  );
  console.log("  kind                         count  wall p50  wall p95   own p50   own p95");
  const row = (label: string, list: readonly Invocation[]) => {
    const wall = list.map((i) => i.durationMs);
    const own = list.map((i) => i.cpuMs);
    const cell = (n: number) => `${n.toFixed(1)} ms`.padStart(9);
    console.log(
      `  ${label.padEnd(28)} ${String(list.length).padStart(5)} ${cell(pct(wall, 50))} ${cell(pct(wall, 95))} ${cell(pct(own, 50))} ${cell(pct(own, 95))}`,
    );
  };
  for (const kind of [...new Set(instant.all.map((i) => i.kind))].sort())
    row(
      kind,
      instant.all.filter((i) => i.kind === kind),
    );
  row("every event", instant.all);
  const ownP50 = pct(
    instant.all.map((i) => i.cpuMs),
    50,
  );
  const wallP50 = pct(
    instant.all.map((i) => i.durationMs),
    50,
  );
  console.log(
    `  p50 per event: own ${ownP50.toFixed(1)} ms → goal ≤ 20 ms ${verdict(ownP50 <= 20)}; ` +
      `wall ${wallP50.toFixed(1)} ms (own + the local servers' time)`,
  );
}

/** The user an event is for: the home of an upload's key, or the owner in a stack's name. */
function userOf(event: unknown, users: readonly string[]): string | undefined {
  const key = (event as { Records?: Array<{ s3?: { object?: { key?: string } } }> }).Records?.[0]
    ?.s3?.object?.key;
  if (key !== undefined) return key.split("/")[1];
  const stackId = (event as { detail?: { "stack-id"?: string } }).detail?.["stack-id"] ?? "";
  return users.find((user) => stackId.includes(`:stack/fd-${user}-`));
}

/** Whether an event is the system's own: a stack event or the sweep's tick. */
const isSystemEvent = (i: Invocation) => i.source === "async" && !i.kind.endsWith("request");

/**
 * The flood: `size` uploads into one home, well-formed and malformed mixed: creates of fresh
 * clusters, keys in sub-folders and with names no cluster can have, `.cf-extend` bodies that
 * are not JSON, and deletes of clusters that never were.
 */
function floodOf(user: string, size: number): Array<[string, string]> {
  const kinds = [
    (i: number) => [`home/${user}/f${i}.cf-create`, STORM_CLUSTER_CONFIG],
    (i: number) => [`home/${user}/deep/f${i}.cf-create`, STORM_CLUSTER_CONFIG],
    (i: number) => [`home/${user}/${"x".repeat(80)}${i}.cf-create`, "{"],
    (i: number) => [`home/${user}/f${i}.cf-extend`, "not json"],
    (i: number) => [`home/${user}/f${i}.cf-delete`, "please\n"],
  ];
  return Array.from({ length: size }, (_, i) => kinds[i % kinds.length]?.(i) as [string, string]);
}

/** The fairness bound scenario 5 checks: what other users and the system may wait during a flood. */
const FAIRNESS_BOUND = { systemWaitMs: 1_000, otherUsersMs: 60_000 } as const;

interface FairnessRun {
  readonly system: number[];
  readonly systemWaits: number[];
  readonly others: number[];
  readonly drainedMs: number;
  readonly deadLetters: number;
  readonly refusedFlood: number;
}

/**
 * One run of scenario 5: eight users each hold a running cluster; one more floods its home;
 * while the flood is uploaded, the eight create a second cluster (at a quarter of the flood)
 * and delete their first (at half), and the sweep ticks every second.
 */
async function fairnessRun(via: "queue" | "direct"): Promise<FairnessRun> {
  const others = Array.from({ length: 8 }, (_, i) => stormUser(i));
  const world = await new StormWorld({
    ...base(SINGLE, others.length, 2),
    // The limits a deployment has by default, and no more than 10 requests a minute.
    limits: { ...DEFAULT_LIMITS },
    extraUsers: ["mallory"],
    uploadsVia: via,
  }).start();
  try {
    await Promise.all(
      others.map((user) => world.put(`home/${user}/keep.cf-create`, STORM_CLUSTER_CONFIG)),
    );
    await world.drained();
    const since = {
      create: world.create.invocations.length,
      delete: world.delete.invocations.length,
    };
    const flood = floodOf("mallory", FLOOD);
    const started = performance.now();
    const ticks = setInterval(() => world.sweep(), 1000);
    let next = 0;
    const othersAt = new Map([
      [
        Math.floor(FLOOD / 4),
        (user: string) => world.put(`home/${user}/new.cf-create`, STORM_CLUSTER_CONFIG),
      ],
      [
        Math.floor(FLOOD / 2),
        (user: string) => world.put(`home/${user}/keep.cf-delete`, "please\n"),
      ],
    ]);
    const worker = async () => {
      while (next < flood.length) {
        const index = next;
        next += 1;
        const own = othersAt.get(index);
        if (own !== undefined) await Promise.all(others.map(own));
        const [key, body] = flood[index] ?? ["", ""];
        await world.put(key, body);
      }
    };
    try {
      await Promise.all(Array.from({ length: 20 }, worker));
      await world.drained();
    } finally {
      clearInterval(ticks);
    }
    const drainedMs = performance.now() - started;
    const invocations = [
      ...world.create.invocations.slice(since.create),
      ...world.delete.invocations.slice(since.delete),
    ];
    const end = (i: Invocation) => i.startedAt + i.durationMs - i.acceptedAt;
    // A request's time: from its upload to the end of its last invocation (retries included).
    const requests = new Map<string, number>();
    for (const i of invocations.filter((i) => !isSystemEvent(i))) {
      const key =
        (i.event as { Records: Array<{ s3: { object: { key: string } } }> }).Records[0]?.s3.object
          .key ?? "";
      if (others.includes(userOf(i.event, others) ?? ""))
        requests.set(key, Math.max(requests.get(key) ?? 0, end(i)));
    }
    const system = invocations.filter(isSystemEvent);
    const refusedFlood = (await world.servers.homeKeys()).filter(
      (key) => key.startsWith("home/mallory/") && key.endsWith(".cf-failed"),
    ).length;
    return {
      system: system.map(end),
      systemWaits: system.map((i) => i.waitedMs),
      others: [...requests.values()],
      drainedMs,
      deadLetters: world.create.deadLetters.length + world.delete.deadLetters.length,
      refusedFlood,
    };
  } finally {
    await world.stop();
  }
}

/** Scenario 5: one user's flood against everyone else's work, through the queues and without. */
async function fairness(): Promise<void> {
  console.log(
    `\n## 5. Fairness: one user floods ${FLOOD.toLocaleString("en")} uploads (well-formed and malformed) while 8 others create and delete`,
  );
  const row = (label: string, values: readonly number[]) =>
    console.log(
      `  ${label.padEnd(44)} ${String(values.length).padStart(5)} ${ms(pct(values, 50)).padStart(9)} ${ms(pct(values, 95)).padStart(9)} ${ms(Math.max(...values)).padStart(9)}`,
    );
  const runs: Array<[string, FairnessRun]> = [];
  for (const via of ["queue", "direct"] as const) {
    const run = await fairnessRun(via);
    runs.push([via, run]);
    console.log(
      via === "queue"
        ? "\n### as deployed: uploads through the upload queues (uploads capped at reserved − 2)"
        : "\n### as before the queues: S3 invokes the functions directly (for comparison)",
    );
    console.log(
      `  flood drained in ${seconds(run.drainedMs)}; flood uploads answered .cf-failed: ${run.refusedFlood}; dead-lettered: ${run.deadLetters}`,
    );
    console.log(
      "                                               count       p50       p95       max",
    );
    row("other users' creates and deletes (upload → done)", run.others);
    row("stack events and sweep ticks (accepted → done)", run.system);
    row("stack events and sweep ticks (wait to start)", run.systemWaits);
  }
  const queued = runs[0]?.[1];
  const direct = runs[1]?.[1];
  if (queued === undefined || direct === undefined) return;
  const systemWait = Math.max(...queued.systemWaits);
  const othersMax = Math.max(...queued.others);
  console.log(
    `\n  bound: stack events and the sweep start within ${ms(FAIRNESS_BOUND.systemWaitMs)} → ${verdict(systemWait <= FAIRNESS_BOUND.systemWaitMs)} (longest wait ${ms(systemWait)}; ` +
      `${(Math.max(...direct.systemWaits) / Math.max(systemWait, 1)).toFixed(0)}× shorter than without the queues, ${ms(Math.max(...direct.systemWaits))})`,
  );
  console.log(
    `  bound: other users' requests done within ${seconds(FAIRNESS_BOUND.otherUsersMs)} of their upload → ${verdict(othersMax <= FAIRNESS_BOUND.otherUsersMs)} (longest ${seconds(othersMax)})`,
  );
}

if (ONLY.has("fairness")) await phase("fairness, queued and direct", fairness);
console.log("\n## Wall time per phase");
for (const [name, took] of phases) console.log(`  ${name.padEnd(36)} ${seconds(took).padStart(8)}`);
console.log(`\nbench:storm took ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exit(0);
