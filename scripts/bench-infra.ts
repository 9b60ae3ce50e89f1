import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { planVariables, terraform, terraformSession } from "./terraform-cli.js";
import { buildBundles, OUT_DIR, STACK_DIR } from "./terraform-stack.js";

/*
 * `npm run bench:infra [-- settings.json]`: how long synth takes and how much
 * memory it needs, next to `terraform plan` of the same stack in the same
 * run. It prints figures and the targets; it never fails on them.
 *   targets: synth wall time <= 0.5 x plan wall time; synth peak RSS <= 200 MB.
 */

const RUNS = 3;
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
const verdict = (ok: boolean) => (ok ? "meets target" : "MISSES target");

function main(): void {
  const settings = process.argv[2];
  if (!existsSync("dist/functions/cf-create.zip")) buildBundles();

  // Synth exactly as `npm run synth` does (tsx main.ts), in one Node process.
  const gnuTime = existsSync(GNU_TIME);
  const synthArgs = [
    ...(gnuTime ? [] : ["--import", RSS_PROBE]),
    "--import",
    "tsx",
    "main.ts",
    ...(settings === undefined ? [] : [settings]),
  ];
  const synths = Array.from({ length: RUNS }, () =>
    measure(process.execPath, synthArgs, ".", process.env),
  );

  const session = terraformSession(OUT_DIR);
  const cwd = resolve(STACK_DIR);
  terraform(["init", "-input=false", "-no-color"], { cwd, session });
  const planArgs = ["plan", "-input=false", "-no-color", "-lock=false", ...planVariables(session)];
  const plans = Array.from({ length: RUNS }, () =>
    measure("terraform", planArgs, cwd, session.env),
  );

  const synthSeconds = median(synths.map((m) => m.seconds));
  const synthPeak = Math.max(...synths.map((m) => m.peakMb ?? Number.NaN));
  const planSeconds = median(plans.map((m) => m.seconds));
  const planPeak = Math.max(...plans.map((m) => m.peakMb ?? Number.NaN));
  const ratio = synthSeconds / planSeconds;
  const peakKnown = Number.isFinite(synthPeak);

  console.log(
    `Memory measured with ${gnuTime ? "/usr/bin/time -v" : "process.resourceUsage() in the child"}.`,
  );
  console.log(
    `synth (tsx main.ts), ${RUNS} runs: ${synths.map((m) => `${m.seconds.toFixed(2)} s`).join(", ")}`,
  );
  console.log(
    `  median ${synthSeconds.toFixed(2)} s, peak RSS ${mb(peakKnown ? synthPeak : undefined)}`,
  );
  console.log(
    `terraform plan, ${plans.length} runs: ${plans.map((m) => `${m.seconds.toFixed(2)} s`).join(", ")}`,
  );
  console.log(
    `  median ${planSeconds.toFixed(2)} s, peak RSS ${mb(Number.isFinite(planPeak) ? planPeak : undefined)}`,
  );
  console.log(`synth / plan = ${ratio.toFixed(2)} (target <= 0.50): ${verdict(ratio <= 0.5)}`);
  console.log(
    `synth peak RSS target <= 200 MB: ${peakKnown ? verdict(synthPeak <= 200) : "not measurable here"}`,
  );
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
