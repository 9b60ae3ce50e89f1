import type { BenchGoals } from "../bench-goals.js";
import { BILLED_GOAL, BILLED_GOAL_MS, billedFigure, most, ms, pct } from "./figures.js";
import { billedOf, lifecycle, type Lifecycle } from "./lifecycle.js";
import { SINGLE, startWorld, type CloudProfile } from "./profiles.js";

/*
 * Scenario 3: what Lambda bills for one cluster's lifecycle (create request,
 * CREATE_COMPLETE, delete request, DELETE_COMPLETE), one cluster at a time,
 * three ways:
 *
 * - warm: the steady state, in module environments that share the bench's
 *   loaded, JIT-warm SDK (see lambda-environment.ts), after a warm-up;
 * - first lifecycle on fresh environments: process environments, started
 *   for its first event of each function and kept for the next, as a
 *   deployment that has been idle meets its next cluster;
 * - every event cold: a process environment per event, as when a cluster's
 *   events come further apart than Lambda keeps idle environments (a build
 *   takes minutes, a cluster lives for hours).
 *
 * The cold runs use real processes rather than module instances because a
 * module instance's "init" imports only the entry (the SDK chunks are
 * already loaded and optimised), and its first invocation runs warm code: it
 * would bill a fraction of a real cold start. A fresh process pays node's
 * start, the import of every chunk, and a first run of cold code, as a new
 * Lambda environment does; its init is timed from the spawn to the handler
 * imported, and billed with the invocation (Lambda bills INIT).
 */

/** Warm lifecycles after one to warm up; module environments. */
export async function warmLifecycles(profile: CloudProfile, count: number): Promise<Lifecycle[]> {
  const world = await startWorld(profile, "module");
  try {
    await lifecycle(world, "warmup");
    const runs: Lifecycle[] = [];
    for (let i = 1; i <= count; i += 1) runs.push(await lifecycle(world, `c${i}`));
    return runs;
  } finally {
    await world.stop();
  }
}

/** Cold lifecycles, each starting with no environment: with environments kept between its events, and without. */
interface ColdRuns {
  /** Each function's first event cold, the next warm. */
  readonly fresh: readonly Lifecycle[];
  /** Every event on an environment of its own. */
  readonly everyEvent: readonly Lifecycle[];
}

/** Runs `plan.fresh`, then `plan.everyEvent` cold lifecycles in one world of process environments. */
export async function coldLifecycles(
  profile: CloudProfile,
  plan: { readonly fresh: number; readonly everyEvent: number },
): Promise<ColdRuns> {
  const world = await startWorld(profile, "process");
  const run = async (count: number, reuse: boolean): Promise<Lifecycle[]> => {
    world.create.reuseEnvironments = reuse;
    world.delete.reuseEnvironments = reuse;
    const runs: Lifecycle[] = [];
    for (let i = 0; i < count; i += 1) {
      world.create.retireIdle();
      world.delete.retireIdle();
      runs.push(await lifecycle(world, `c${reuse ? "f" : "e"}${i + 1}`));
    }
    return runs;
  };
  try {
    const fresh = await run(plan.fresh, true);
    return { fresh, everyEvent: await run(plan.everyEvent, false) };
  } finally {
    await world.stop();
  }
}

/** The cold lifecycles' billed time, and what their inits were. */
function reportCold(goals: BenchGoals, label: string, runs: readonly Lifecycle[]): void {
  const billed = runs.map(billedOf);
  const colds = runs.flatMap((r) => r.all).filter((i) => i.cold);
  const inits = colds.map((i) => i.initMs);
  console.log(
    `  ${label}: ${runs.length} lifecycles, ${colds.length / Math.max(runs.length, 1)} cold starts each; ` +
      `billed ${billed.map((b) => ms(b)).join(", ")}`,
  );
  console.log(
    `    init (in the billed figure): p50 ${ms(pct(inits, 50))}, max ${ms(most(inits))}; ` +
      `handler time of the cold invocations: p50 ${ms(
        pct(
          colds.map((i) => i.durationMs),
          50,
        ),
      )}`,
  );
  goals.check(
    `${label}, median billed`,
    billedFigure(pct(billed, 50)),
    BILLED_GOAL,
    pct(billed, 50) <= BILLED_GOAL_MS,
  );
}

export async function lifecycleBilling(
  goals: BenchGoals,
  warmCount: number,
  coldCount: number,
): Promise<void> {
  console.log("\n## 3. Billed Lambda time per cluster lifecycle, one cluster at a time");
  console.log(
    "  billed = each invocation's duration, and its init when cold (Lambda bills INIT), rounded up to 1 ms",
  );

  console.log("\n  warm steady state");
  const warm = await warmLifecycles(SINGLE, warmCount);
  const billed = warm.map(billedOf);
  const coldAmongWarm = warm.flatMap((r) => r.all).filter((i) => i.cold).length;
  console.log(
    `  warm: ${warm.length} lifecycles after a warm-up (cold starts among them: ${coldAmongWarm}); max ${ms(most(billed))}`,
  );
  goals.check(
    "warm, median billed",
    billedFigure(pct(billed, 50)),
    BILLED_GOAL,
    pct(billed, 50) <= BILLED_GOAL_MS,
  );

  console.log("\n  cold: fresh process environments");
  console.log(
    "  init = from spawning node to the bundle's handler imported, timed by the bench: node's own start, and the import of the bundle and every chunk it loads at init (Lambda's INIT phase)" +
      (process.env["NODE_EXTRA_CA_CERTS"] === undefined
        ? ""
        : "; NODE_EXTRA_CA_CERTS is set here, so every node start also reads that CA file, which lengthens init"),
  );
  const cold = await coldLifecycles(SINGLE, { fresh: coldCount, everyEvent: coldCount });
  reportCold(goals, "first lifecycle on fresh environments", cold.fresh);
  reportCold(goals, "every event on a fresh environment", cold.everyEvent);
}
