import { cpus } from "node:os";
import { DEFAULT_CONCURRENCY } from "../stacks/settings/settings-shape.js";
import { BenchGoals } from "./bench-goals.js";
import { accountSizes } from "./storm/account-sizes.js";
import { fairness } from "./storm/fairness.js";
import { phase, phases, seconds } from "./storm/figures.js";
import { handlerWork } from "./storm/handler-work.js";
import { lifecycleBilling } from "./storm/lifecycle-billing.js";
import { describeAll } from "./storm/profiles.js";
import { stormScenario } from "./storm/storm-scenario.js";

/*
 * `npm run bench:storm`: the BUILT bundles (run `npm run build` first) as
 * Lambda runs them, against s3rver, dynalite and a CloudFormation that is
 * slow, throttled per account and settles stacks on its own, announcing each
 * status on EventBridge (see tests/support/storm and scripts/storm). Prints
 * each figure beside its goal and exits 1 when one is missed. The servers
 * run in a child process; each scenario says which CloudFormation profile
 * (scripts/storm/profiles.ts) and which kind of execution environment
 * (tests/support/storm/lambda-environment.ts) it runs.
 *
 *   BENCH_STORM_USERS / BENCH_STORM_CLUSTERS  the storm's size (50 × 20)
 *   BENCH_STORM_ONLY       some scenarios: storm,accounts,realistic,instant,fairness (all);
 *                          add "direct" to run scenario 5's flood without the
 *                          upload queues too, for comparison (about 45 s)
 *   BENCH_STORM_FLOOD      uploads in scenario 5's flood (2,000)
 *   BENCH_STORM_LIFECYCLES warm lifecycles in scenario 3 (10)
 *   BENCH_STORM_COLD_LIFECYCLES
 *                          cold lifecycles of each kind in scenario 3 (3)
 *   BENCH_STORM_INSTANT_LIFECYCLES
 *                          warm lifecycles in scenario 4 (30: its events take
 *                          milliseconds, so more of them steady the median);
 *                          with BENCH_STORM_ONLY=instant, a workload to
 *                          profile with `node --cpu-prof --import tsx`
 *
 * The wall-time goal (< 5 min on 2 cores) is judged only for a full run at
 * the default sizes; any other run prints its wall time with no goal.
 */

const DEFAULTS = {
  BENCH_STORM_USERS: "50",
  BENCH_STORM_CLUSTERS: "20",
  BENCH_STORM_ONLY: "storm,accounts,realistic,instant,fairness",
  BENCH_STORM_FLOOD: "2000",
  BENCH_STORM_LIFECYCLES: "10",
  BENCH_STORM_COLD_LIFECYCLES: "3",
  BENCH_STORM_INSTANT_LIFECYCLES: "30",
} as const;
const setting = (name: keyof typeof DEFAULTS) => process.env[name] ?? DEFAULTS[name];
const ONLY = new Set(setting("BENCH_STORM_ONLY").split(","));
const WALL_GOAL_MS = 5 * 60_000;
const isDefaultRun = Object.keys(DEFAULTS).every((name) => process.env[name] === undefined);

const started = performance.now();
console.log(
  `# bench:storm — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, node ${process.version}`,
);
console.log(
  `Reserved concurrency: cf-create ${DEFAULT_CONCURRENCY.create}, cf-delete ${DEFAULT_CONCURRENCY.delete}. ` +
    "Lambda retries after 1 s and 2 s (60× faster than real). Billed time is each invocation's duration " +
    "and, when cold, its environment's init (Lambda bills the INIT phase), rounded up to 1 ms.",
);
for (const line of describeAll()) console.log(line);
const goals = new BenchGoals("bench:storm");
try {
  if (ONLY.has("storm"))
    await phase("storm (both)", () =>
      stormScenario(
        goals,
        Number(setting("BENCH_STORM_USERS")),
        Number(setting("BENCH_STORM_CLUSTERS")),
      ),
    );
  if (ONLY.has("accounts"))
    await phase("account sizes 10 / 1,000 / 10,000", () => accountSizes(goals));
  if (ONLY.has("realistic"))
    await phase("lifecycles, warm and cold", () =>
      lifecycleBilling(
        goals,
        Number(setting("BENCH_STORM_LIFECYCLES")),
        Number(setting("BENCH_STORM_COLD_LIFECYCLES")),
      ),
    );
  if (ONLY.has("instant"))
    await phase("handler work", () =>
      handlerWork(goals, Number(setting("BENCH_STORM_INSTANT_LIFECYCLES"))),
    );
  if (ONLY.has("fairness"))
    await phase(ONLY.has("direct") ? "fairness, queued and direct" : "fairness", () =>
      fairness(goals, Number(setting("BENCH_STORM_FLOOD")), ONLY.has("direct")),
    );
} catch (error) {
  console.error(error);
  process.exit(1);
}

console.log("\n## Wall time per phase");
for (const [name, took] of phases) console.log(`  ${name.padEnd(36)} ${seconds(took).padStart(8)}`);
const wall = performance.now() - started;
if (isDefaultRun)
  goals.check(
    "bench:storm wall time",
    seconds(wall),
    `< ${seconds(WALL_GOAL_MS)} on 2 cores`,
    wall < WALL_GOAL_MS,
    "",
  );
else goals.figure("bench:storm wall time (not the default run, so not judged)", seconds(wall), "");
// The servers' and environments' processes are ended; exit without waiting on stray timers.
process.exit(goals.finish());
