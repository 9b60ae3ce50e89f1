import { build, type Metafile, type Plugin } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as builder from "../build.mjs";
import { BenchGoals } from "./bench-goals.js";

/*
 * `npm run bench:handlers`: the built Lambda bundles' size, whole-process
 * cold load and peak RSS, each beside its goal; exits 1 when one is missed.
 *
 * Cold load is a fresh `node` that imports a bundle (which decodes its
 * configuration and builds its S3 and CloudFormation clients), measured
 * against a bare `node -e 0`, alternating run by run, so the ratio holds on a
 * noisy machine. Three loads per function:
 *   init         importing the bundle: what Lambda's INIT phase does;
 *   first event  init, and the chunk every event then loads (the DynamoDB
 *                client of the cluster registry); SES loads only to send mail;
 * and, for reference, two plain ESM bundles that do nothing but build SDK
 * clients at load: the naive build (S3, CloudFormation and SES), and the
 * floor of any build of these handlers (the S3 and CloudFormation clients
 * every event of both functions uses, and the commands both functions send,
 * built with the handlers' own substitutions, schema rewrite and client
 * defaults).
 *
 * NODE_EXTRA_CA_CERTS makes every node start read a CA file, bare node
 * included. When it is set, each figure is measured twice: as this machine
 * runs node (where the goal is judged, as docs/performance.md states) and
 * without it (printed with no goal, for reference).
 */

const RUNS = Number(process.env["BENCH_RUNS"] ?? 21);
const GOALS = { bundleKb: 500, initRatio: 1.8, rssMib: 60 } as const;
/** The S3 and CloudFormation commands both functions send: the floor keeps them, as any build of the handlers must. */
const FLOOR_COMMANDS: Readonly<Record<string, readonly string[]>> = {
  S3: ["GetObject", "PutObject", "DeleteObject", "DeleteObjects"],
  CloudFormation: ["DescribeStacks", "DescribeStackEvents", "DeleteStack"],
};
// build.d.mts declares what the tests use; the two esbuild plugins are read here as plugins.
const { buildFunction, FUNCTIONS } = builder;
const { lambdaOnly, sdkSchemaKeys } = builder as unknown as Record<
  "lambdaOnly" | "sdkSchemaKeys",
  Plugin
>;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// What a deployment gives both functions, enough for them to load (nothing is sent).
const handlerEnvironment = JSON.parse(
  readFileSync(path.join(root, "tests", "fixtures", "handler-environment.json"), "utf8"),
) as Record<string, string>;
const machineEnv: NodeJS.ProcessEnv = { ...process.env, ...handlerEnvironment };
const { NODE_EXTRA_CA_CERTS: extraCerts, ...withoutCerts } = machineEnv;
/** The environments measured; only the first (as this machine runs node) is judged. */
const environments = [
  {
    label:
      extraCerts === undefined
        ? "this machine's environment"
        : `this machine's environment (NODE_EXTRA_CA_CERTS=${extraCerts})`,
    env: machineEnv,
    judged: true,
  },
  ...(extraCerts === undefined
    ? []
    : [{ label: "without NODE_EXTRA_CA_CERTS", env: withoutCerts, judged: false }]),
];

interface Load {
  readonly name: string;
  readonly urls: readonly string[];
}

/** Runs node once; returns its wall time in ms and its stdout. */
function run(args: readonly string[], env: NodeJS.ProcessEnv): { ms: number; stdout: string } {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} failed:\n${result.stderr}`);
  return { ms, stdout: result.stdout };
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const rssProbe = "console.log(process.resourceUsage().maxRSS)";
const importing = (urls: readonly string[], then = "") => [
  "--input-type=module",
  "-e",
  `${urls.map((u) => `await import(${JSON.stringify(u)});`).join(" ")} ${then}`,
];

/** Output files reached from `entry` by `kinds` of import. */
function reachable(metafile: Metafile, entry: string, kinds: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imp of metafile.outputs[file]?.imports ?? []) {
      if (kinds.includes(imp.kind) && imp.external !== true) visit(imp.path);
    }
  };
  visit(entry);
  return [...seen];
}

const sizeOf = async (files: readonly string[]) =>
  (await Promise.all(files.map((f) => stat(path.join(root, f))))).reduce((n, s) => n + s.size, 0);

/**
 * An ESM bundle that builds these SDK clients at load and keeps the commands
 * named for each (so their schemas ship), and does nothing else: plain, or
 * `asHandlers` (with build.mjs's Lambda-only substitutions, its schema
 * rewrite, and the handlers' client defaults).
 */
async function buildClientsOnly(
  outdir: string,
  name: string,
  clients: readonly string[],
  asHandlers = false,
  commands: Readonly<Record<string, readonly string[]>> = {},
): Promise<string> {
  const packageOf: Record<string, string> = {
    S3: "s3",
    CloudFormation: "cloudformation",
    SES: "ses",
  };
  const commandsOf = (c: string) => (commands[c] ?? []).map((command) => `${command}Command`);
  await build({
    absWorkingDir: root,
    stdin: {
      contents: [
        ...clients.map(
          (c) =>
            `import { ${[`${c}Client`, ...commandsOf(c)].join(", ")} } from "@aws-sdk/client-${packageOf[c]}";`,
        ),
        `const config = ${asHandlers ? '{ defaultsMode: "legacy" }' : "{}"};`,
        `export const clients = [${clients.map((c) => `new ${c}Client(config)`).join(", ")}];`,
        `export const commands = [${clients.flatMap(commandsOf).join(", ")}];`,
      ].join("\n"),
      resolveDir: root,
      loader: "js",
    },
    outfile: path.join(outdir, `${name}.mjs`),
    plugins: asHandlers ? [lambdaOnly, sdkSchemaKeys] : [],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    mainFields: ["module", "main"],
    minify: true,
    legalComments: "none",
    banner: {
      js: 'import { createRequire as __r } from "node:module"; const require = __r(import.meta.url);',
    },
    logLevel: "warning",
  });
  return pathToFileURL(path.join(outdir, `${name}.mjs`)).href;
}

interface BundleSize {
  readonly name: string;
  readonly total: number;
  readonly init: number;
  readonly firstEvent: number;
}

/** Builds each function; returns its loads (init, first event) and its sizes. */
async function buildFunctions(): Promise<{ loads: Load[]; sizes: BundleSize[] }> {
  const loads: Load[] = [];
  const sizes: BundleSize[] = [];
  const url = (file: string) => pathToFileURL(path.join(root, file)).href;
  for (const name of FUNCTIONS) {
    const metafile = await buildFunction(name);
    const jsFiles = Object.keys(metafile.outputs).filter((f) => f.endsWith(".mjs"));
    const entry = jsFiles.find((f) => f.endsWith(`${name}/index.mjs`));
    if (entry === undefined) throw new Error(`${name}: no index.mjs built`);
    const atInit = reachable(metafile, entry, ["import-statement"]);
    // The DynamoDB client is imported dynamically by whichever loaded chunk holds the tables.
    const registryChunk = atInit
      .flatMap((file) => metafile.outputs[file]?.imports ?? [])
      .find((imp) => imp.kind === "dynamic-import" && /dynamodb-client/.test(imp.path))?.path;
    if (registryChunk === undefined) throw new Error(`${name}: no lazy DynamoDB chunk found`);
    loads.push(
      { name: `${name} init`, urls: [url(entry)] },
      { name: `${name} first event`, urls: [url(entry), url(registryChunk)] },
    );
    const atFirstEvent = reachable(metafile, registryChunk, ["import-statement"]);
    sizes.push({
      name,
      total: await sizeOf(jsFiles),
      init: await sizeOf(atInit),
      firstEvent: await sizeOf([...new Set([...atInit, ...atFirstEvent])]),
    });
  }
  return { loads, sizes };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function reportSizes(goals: BenchGoals, sizes: readonly BundleSize[]): void {
  console.log("bundle      all JS       loaded at init   loaded by the first event");
  for (const s of sizes) {
    console.log(
      `${s.name.padEnd(10)} ${kb(s.total).padStart(9)} ${kb(s.init).padStart(15)} ${kb(s.firstEvent).padStart(20)}`,
    );
  }
  for (const s of sizes)
    goals.check(
      `${s.name} bundle, all JS`,
      kb(s.total),
      `≤ ${GOALS.bundleKb} KB`,
      s.total <= GOALS.bundleKb * 1024,
    );
}

/** Cold loads against bare node, in each environment; the init ratio is judged in the first. */
function reportColdLoads(goals: BenchGoals, loads: readonly Load[]): void {
  for (const { label, env, judged } of environments) {
    const bare: number[] = [];
    const times = loads.map((): number[] => []);
    for (let i = 0; i < RUNS; i += 1) {
      bare.push(run(["-e", "0"], env).ms);
      loads.forEach((load, j) => times[j]?.push(run(importing(load.urls), env).ms));
    }
    const bareMs = median(bare);
    console.log(`\n${label}: bare \`node -e 0\` ${bareMs.toFixed(0)} ms`);
    loads.forEach((load, j) => {
      const ms = median(times[j] ?? []);
      const ratio = ms / bareMs;
      const figure = `${ms.toFixed(0)} ms, ${ratio.toFixed(2)}× bare node`;
      if (judged && load.name.endsWith(" init"))
        goals.check(
          `${load.name}`,
          figure,
          `≤ ${GOALS.initRatio}× bare node`,
          ratio <= GOALS.initRatio,
        );
      else goals.figure(load.name, figure);
    });
  }
}

/** Peak RSS of bare node and of each load (the same with and without the CA file; a few runs suffice). */
function reportRss(goals: BenchGoals, loads: readonly Load[]): void {
  const rss = (args: readonly string[]) =>
    Math.max(
      ...Array.from(
        { length: 3 },
        () => Number(run(args, machineEnv).stdout.trim().split("\n").pop()) / 1024,
      ),
    );
  console.log("\npeak RSS");
  goals.figure("bare node", `${rss(["-e", rssProbe]).toFixed(1)} MiB`);
  for (const load of loads) {
    const mib = rss(importing(load.urls, rssProbe));
    if (/ (init|first event)$/.test(load.name))
      goals.check(load.name, `${mib.toFixed(1)} MiB`, `≤ ${GOALS.rssMib} MiB`, mib <= GOALS.rssMib);
    else goals.figure(load.name, `${mib.toFixed(1)} MiB`);
  }
}

console.log(
  `# bench:handlers — the Lambda bundles: ${RUNS} runs of each load, alternating with a bare \`node -e 0\`; medians\n`,
);
const goals = new BenchGoals("bench:handlers");
const scratch = mkdtempSync(path.join(tmpdir(), "fd-bench-handlers-"));
try {
  const references: Load[] = [
    {
      name: "naive: S3+CloudFormation+SES clients",
      urls: [await buildClientsOnly(scratch, "naive", ["S3", "CloudFormation", "SES"])],
    },
    {
      name: "floor: S3+CloudFormation clients+commands",
      urls: [
        await buildClientsOnly(scratch, "floor", ["S3", "CloudFormation"], true, FLOOR_COMMANDS),
      ],
    },
  ];
  const { loads, sizes } = await buildFunctions();
  reportSizes(goals, sizes);
  reportColdLoads(goals, [...references, ...loads]);
  reportRss(goals, [...references, ...loads]);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exitCode = goals.finish();
