import type { Invocation } from "../../tests/support/storm/lambda-invocation.js";
import type { BenchGoals } from "../bench-goals.js";
import { ms1, pct } from "./figures.js";
import { coldLifecycles, warmLifecycles } from "./lifecycle-billing.js";
import { NO_LATENCY } from "./profiles.js";

/*
 * Scenario 4: the handlers' own work, with no AWS latency (the INSTANT
 * profile), one invocation at a time. Judged on the warm steady state's own
 * time: the handlers' process CPU time during a lone invocation (the servers
 * run in another process). One lifecycle on fresh process environments is
 * printed beside it, for what a cold invocation's own work is.
 */

const OWN_P50_GOAL_MS = 20;

function table(invocations: readonly Invocation[]): void {
  console.log("  kind                         count  wall p50  wall p95   own p50   own p95");
  const row = (label: string, list: readonly Invocation[]) => {
    const wall = list.map((i) => i.durationMs);
    const own = list.map((i) => i.cpuMs);
    const cell = (n: number) => ms1(n).padStart(9);
    console.log(
      `  ${label.padEnd(28)} ${String(list.length).padStart(5)} ${cell(pct(wall, 50))} ${cell(pct(wall, 95))} ${cell(pct(own, 50))} ${cell(pct(own, 95))}`,
    );
  };
  for (const kind of [...new Set(invocations.map((i) => i.kind))].sort())
    row(
      kind,
      invocations.filter((i) => i.kind === kind),
    );
  row("every event", invocations);
}

export async function handlerWork(goals: BenchGoals, lifecycles: number): Promise<void> {
  console.log("\n## 4. Handler work without AWS latency, one invocation at a time");
  console.log(
    "  wall = the handler's duration (its own work + the local servers' time, in another process);\n" +
      "  own = its environment's process CPU time during the invocation (user + system): the handler's own work.",
  );
  console.log(`\n  warm steady state, ${lifecycles} lifecycles after a warm-up`);
  const warm = (await warmLifecycles(NO_LATENCY, lifecycles)).flatMap((r) => r.all);
  table(warm);
  const own = pct(
    warm.map((i) => i.cpuMs),
    50,
  );
  goals.check(
    "warm own time per event, p50",
    `${ms1(own)} (wall ${ms1(
      pct(
        warm.map((i) => i.durationMs),
        50,
      ),
    )}: own + the local servers' time)`,
    `≤ ${OWN_P50_GOAL_MS} ms`,
    own <= OWN_P50_GOAL_MS,
  );

  console.log("\n  cold: one lifecycle, every event on a fresh process environment");
  const cold = (await coldLifecycles(NO_LATENCY, { fresh: 0, everyEvent: 1 })).everyEvent.flatMap(
    (r) => r.all,
  );
  table(cold);
  goals.figure(
    "cold own time per event, p50 (init not included)",
    ms1(
      pct(
        cold.map((i) => i.cpuMs),
        50,
      ),
    ),
  );
}
