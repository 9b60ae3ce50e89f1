import type { BenchGoals } from "../bench-goals.js";
import { most, ms } from "./figures.js";
import { lifecycle } from "./lifecycle.js";
import { SINGLE, startWorld } from "./profiles.js";

/* Scenario 2: a single create against accounts of growing size. */

const SIZES = [10, 1_000, 10_000] as const;
const MOST_CALLS = 5;

/**
 * One account that grows (10 other stacks, then 1,000, then 10,000), one
 * lifecycle at each size after a warm-up. Judged: the create request's
 * CloudFormation calls, throttled ones included, stay within the goal; and
 * the calls CloudFormation accepted are the same at every size (flat: the
 * throttled ones vary with the seeded randomness and the budget, not with
 * the account).
 */
export async function accountSizes(goals: BenchGoals): Promise<void> {
  console.log("\n## 2. Account size: one create against an account holding N other stacks");
  console.log(
    "  N        CFN calls (create request; throttled)  CFN calls (whole lifecycle)  create request (handler time)",
  );
  const calls: number[] = [];
  const accepted: number[] = [];
  const world = await startWorld(SINGLE, "process");
  try {
    await lifecycle(world, "warmup");
    let held = 0;
    for (const n of SIZES) {
      await world.servers.addForeignStacks(n - held);
      held = n;
      const run = await lifecycle(world, `c${n}`);
      calls.push(run.createCalls);
      accepted.push(run.createCalls - run.createThrottled);
      console.log(
        `  ${String(n).padEnd(8)} ${String(run.createCalls).padStart(10)}; ${String(run.createThrottled).padEnd(27)} ${String(run.lifecycleCalls).padStart(10)}              ${ms(run.createRequest[0]?.durationMs ?? NaN).padStart(8)}`,
      );
    }
  } finally {
    await world.stop();
  }
  goals.check(
    "CloudFormation calls per create request, most at any size",
    String(most(calls)),
    `≤ ${MOST_CALLS}`,
    most(calls) <= MOST_CALLS,
  );
  goals.check(
    "calls CloudFormation accepted per create, at 10 / 1,000 / 10,000 stacks",
    accepted.join(" / "),
    "the same at every size (flat)",
    accepted.length === SIZES.length && accepted.every((n) => n === accepted[0]),
  );
}
