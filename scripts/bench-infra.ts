import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { planVariables, terraform, terraformSession } from "./terraform-cli.js";
import { buildBundles, OUT_DIR, STACK_DIR } from "./terraform-stack.js";
import { BenchGoals } from "./bench-goals.js";

/*
 * `npm run bench:infra [-- settings.json]`: how long synth takes and how much
 * memory it needs, next to `terraform plan` of the same stack in the same
 * run, each figure beside its goal; exits 1 when one is missed (a peak RSS
 * that cannot be measured meets no goal).
 *   goals: synth wall time <= 0.5 x plan wall time; synth peak RSS <= 200 MB.
 */

const RUNS = 3;
const GOALS = { synthToPlan: 0.5, synthPeakMb: 200 } as const;
const GNU_TIME = "/usr/bin/time";

/** One measured run of a child process. */
interface Measurement {
  readonly seconds: number;
  /** Peak resident set size in MB, or undefined when it cannot be measured here. */
  readonly peakMb: number | undefined;
}

/** Prints RSS at exit from inside a Node child, for machines without GNU time. */
const RSS_PROBE =
  "data:text/javascript,process.on('exit',()=>process.stderr.write('\\nFD_MAX_RSS_KB='+process.resourceUsage().maxRSS+'\\n'))";

function measure(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Measurement {
  const gnuTime = existsSync(GNU_TIME);
  const started = performance.now();
  const result = gnuTime
    ? spawnSync(GNU_TIME, ["-v", command, ...args], { cwd, env, encoding: "utf8" })
    : spawnSync(command, args, { cwd, env, encoding: "utf8" });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  }
  const kb = gnuTime
    ? /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)?.[1]
    : /FD_MAX_RSS_KB=(\d+)/.exec(result.stderr)?.[1];
  return { seconds, peakMb: kb === undefined ? undefined : Number(kb) / 1024 };
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const mb = (value: number | undefined) => (value === undefined ? "n/a" : `${value.toFixed(0)} MB`);

/** Synth exactly as `npm run synth` does (tsx main.ts), in one Node process, RUNS times. */
function measureSynths(settings: string | undefined): Measurement[] {
  const synthArgs = [
    ...(existsSync(GNU_TIME) ? [] : ["--import", RSS_PROBE]),
    "--import",
    "tsx",
    "main.ts",
    ...(settings === undefined ? [] : [settings]),
  ];
  return Array.from({ length: RUNS }, () => measure(process.execPath, synthArgs, ".", process.env));
}

/** `terraform plan` of the synthesized stack, RUNS times, after one `terraform init`. */
function measurePlans(): Measurement[] {
  const session = terraformSession(OUT_DIR);
  const cwd = resolve(STACK_DIR);
  terraform(["init", "-input=false", "-no-color"], { cwd, session });
  const planArgs = ["plan", "-input=false", "-no-color", "-lock=false", ...planVariables(session)];
  return Array.from({ length: RUNS }, () => measure("terraform", planArgs, cwd, session.env));
}

const runsOf = (runs: readonly Measurement[]) =>
  runs.map((m) => `${m.seconds.toFixed(2)} s`).join(", ");

function main(): void {
  const settings = process.argv[2];
  if (!existsSync("dist/functions/cf-create.zip")) buildBundles();
  console.log(`# bench:infra — synth against terraform plan, ${RUNS} runs each, medians\n`);
  const synths = measureSynths(settings);
  const plans = measurePlans();

  const synthSeconds = median(synths.map((m) => m.seconds));
  const synthPeak = Math.max(...synths.map((m) => m.peakMb ?? Number.NaN));
  const planSeconds = median(plans.map((m) => m.seconds));
  const planPeak = Math.max(...plans.map((m) => m.peakMb ?? Number.NaN));
  const ratio = synthSeconds / planSeconds;
  const peakKnown = Number.isFinite(synthPeak);

  console.log(
    `Memory measured with ${existsSync(GNU_TIME) ? "/usr/bin/time -v" : "process.resourceUsage() in the child"}.`,
  );
  console.log(`synth (tsx main.ts), ${RUNS} runs: ${runsOf(synths)}`);
  console.log(
    `  median ${synthSeconds.toFixed(2)} s, peak RSS ${mb(peakKnown ? synthPeak : undefined)}`,
  );
  console.log(`terraform plan, ${plans.length} runs: ${runsOf(plans)}`);
  console.log(
    `  median ${planSeconds.toFixed(2)} s, peak RSS ${mb(Number.isFinite(planPeak) ? planPeak : undefined)}`,
  );
  const goals = new BenchGoals("bench:infra");
  goals.check(
    "synth / plan wall time",
    ratio.toFixed(2),
    `≤ ${GOALS.synthToPlan.toFixed(2)}`,
    ratio <= GOALS.synthToPlan,
  );
  goals.check(
    "synth peak RSS",
    peakKnown ? mb(synthPeak) : "not measurable here",
    `≤ ${GOALS.synthPeakMb} MB`,
    peakKnown && synthPeak <= GOALS.synthPeakMb,
  );
  process.exitCode = goals.finish();
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
