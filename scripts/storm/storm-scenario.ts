import type { StormAudit } from "../../tests/support/storm/storm-audit.js";
import type { Invocation } from "../../tests/support/storm/lambda-invocation.js";
import type { StormWorld } from "../../tests/support/storm/storm-world.js";
import type { BenchGoals } from "../bench-goals.js";
import {
  BILLED_GOAL,
  BILLED_GOAL_MS,
  billedFigure,
  callsByAction,
  cloudCalls,
  coldStarts,
  durationsByKind,
  ms,
  phase,
  seconds,
  sum,
  throttled,
} from "./figures.js";
import { REALISTIC, startWorld } from "./profiles.js";

/* Scenario 1: every user creates every cluster at once, then deletes them all. */

const isClean = (audit: StormAudit) =>
  audit.lost.length === 0 &&
  audit.duplicatedStacks.length === 0 &&
  audit.wrongFiles.length === 0 &&
  audit.wrongStacks.length === 0 &&
  audit.deadLetters === 0;

function reportAudit(goals: BenchGoals, action: string, audit: StormAudit): void {
  goals.check(
    `${action}: lost / duplicated stacks / other result files / wrong stacks / dead-lettered`,
    [audit.lost, audit.duplicatedStacks, audit.wrongFiles, audit.wrongStacks]
      .map((list) => list.length)
      .concat(audit.deadLetters)
      .join(" / "),
    "0 / 0 / 0 / 0 / 0",
    isClean(audit),
  );
  for (const list of [audit.lost, audit.duplicatedStacks, audit.wrongFiles, audit.wrongStacks]) {
    if (list.length > 0) console.log(`    ${list.slice(0, 5).join("; ")}`);
  }
  console.log(`  result files written per request: ${audit.resultWritesPerRequest.toFixed(2)}`);
}

/** One phase of the storm (every create, or every delete): drops, drains, audits, reports. */
async function stormPhase(
  world: StormWorld,
  goals: BenchGoals,
  action: "create" | "delete",
  total: number,
): Promise<Invocation[]> {
  world.newPhase();
  const before = await world.servers.cloudStats();
  const since = {
    create: world.create.invocations.length,
    delete: world.delete.invocations.length,
  };
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
  const invocations = [
    ...world.create.invocations.slice(since.create),
    ...world.delete.invocations.slice(since.delete),
  ];
  console.log(`\n### ${action}s`);
  console.log(
    `  uploaded in ${ms(dropped)}, drained in ${seconds(drainedMs)} (audit ${ms(auditMs)})`,
  );
  reportAudit(goals, `${action}s`, audit);
  console.log(
    `  CloudFormation calls per request: ${(cloudCalls(after, before.calls.length) / total).toFixed(2)} ` +
      `(${callsByAction(after, before.calls.length)})`,
  );
  console.log(
    `  throttled by CloudFormation: ${throttled(after) - throttled(before)} (the SDK retries these within the invocation)`,
  );
  console.log(
    `  invocations ${invocations.length}, Lambda retries ${invocations.filter((i) => i.attempt > 0).length}, ${coldStarts(invocations)}`,
  );
  durationsByKind(invocations);
  return invocations;
}

/** Runs the storm; judges its audits and its billed time per lifecycle (init included). */
export async function stormScenario(
  goals: BenchGoals,
  users: number,
  clusters: number,
): Promise<void> {
  const total = users * clusters;
  console.log(
    `\n## 1. Storm: ${users} users × ${clusters} clusters = ${total} creates, then ${total} deletes`,
  );
  const world = await startWorld(REALISTIC, "process", users, clusters);
  const invocations: Invocation[] = [];
  try {
    for (const action of ["create", "delete"] as const)
      invocations.push(...(await stormPhase(world, goals, action, total)));
  } finally {
    await world.stop();
  }
  const perLifecycle = sum(invocations.map((i) => i.billedMs)) / total;
  console.log();
  goals.check(
    "billed Lambda time per cluster lifecycle, storm-wide (init of every cold start included)",
    billedFigure(perLifecycle),
    BILLED_GOAL,
    perLifecycle <= BILLED_GOAL_MS,
  );
}
