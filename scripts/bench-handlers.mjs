// Benchmarks the built Lambda bundles: size, whole-process cold load, peak RSS.
// Prints figures; asserts nothing.
//
// Cold load is a fresh `node` that imports a bundle (which decodes its
// configuration and builds its S3 and CloudFormation clients), measured
// against a bare `node -e 0`, alternating run by run, so the ratio holds on a
// noisy machine. Three loads per function:
//   init         importing the bundle: what Lambda's INIT phase does;
//   first event  init, and the chunk every event then loads (the DynamoDB
//                client of the cluster registry); SES loads only to send mail;
// and, for reference, two plain ESM bundles that do nothing but build SDK
// clients at load: the naive build the issue compares with (S3,
// CloudFormation and SES), and the floor of any build of these handlers (the
// S3 and CloudFormation clients every event of both functions uses, and the
// commands both functions send, built with the handlers' own substitutions,
// schema rewrite and client defaults).
//
// NODE_EXTRA_CA_CERTS makes every node start read a CA file (about 80 ms on
// the machine this was written on, bare node included), which flatters every
// ratio. When it is set, each figure is measured twice: as this machine runs
// node, and without it.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildFunction, FUNCTIONS, lambdaOnly, sdkSchemaKeys } from "../build.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
/** The S3 and CloudFormation commands both functions send: the floor keeps them, as any build of the handlers must. */
const FLOOR_COMMANDS = {
  S3: ["GetObject", "PutObject", "DeleteObject", "DeleteObjects"],
  CloudFormation: ["DescribeStacks", "DescribeStackEvents", "DeleteStack"],
};
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// What a deployment gives both functions, enough for them to load (nothing is sent).
const handlerEnvironment = JSON.parse(
  readFileSync(path.join(root, "tests", "fixtures", "handler-environment.json"), "utf8"),
);
const machineEnv = { ...process.env, ...handlerEnvironment };
const { NODE_EXTRA_CA_CERTS: extraCerts, ...withoutCerts } = machineEnv;
const environments = [
  {
    label:
      extraCerts === undefined
        ? "this machine's environment"
        : `this machine's environment (NODE_EXTRA_CA_CERTS=${extraCerts})`,
    env: machineEnv,
  },
  ...(extraCerts === undefined
    ? []
    : [{ label: "without NODE_EXTRA_CA_CERTS", env: withoutCerts }]),
];

/** Runs node once; returns its wall time in ms and its stdout. */
function run(args, env) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} failed:\n${result.stderr}`);
  return { ms, stdout: result.stdout };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rssProbe = "console.log(process.resourceUsage().maxRSS)";
const importing = (urls, then = "") => [
  "--input-type=module",
  "-e",
  `${urls.map((u) => `await import(${JSON.stringify(u)});`).join(" ")} ${then}`,
];

/** Output files reached from `entry` by `kinds` of import. */
function reachable(metafile, entry, kinds) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imp of metafile.outputs[file]?.imports ?? []) {
      if (kinds.includes(imp.kind) && !imp.external) visit(imp.path);
    }
  };
  visit(entry);
  return [...seen];
}

const sizeOf = async (files) =>
  (await Promise.all(files.map((f) => stat(path.join(root, f))))).reduce((n, s) => n + s.size, 0);

/**
 * An ESM bundle that builds these SDK clients at load and keeps the commands
 * named for each (so their schemas ship), and does nothing else: plain, or
 * `asHandlers` (with build.mjs's Lambda-only substitutions, its schema
 * rewrite, and the handlers' client defaults).
 */
async function buildClientsOnly(outdir, name, clients, asHandlers = false, commands = {}) {
  const packageOf = { S3: "s3", CloudFormation: "cloudformation", SES: "ses" };
  const commandsOf = (c) => (commands[c] ?? []).map((command) => `${command}Command`);
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

console.log(
  `Benchmark of the Lambda bundles: ${RUNS} runs of each, alternating with a bare \`node -e 0\`; medians\n`,
);
const scratch = mkdtempSync(path.join(tmpdir(), "fd-bench-handlers-"));
try {
  const loads = [
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
  const sizes = [];
  for (const name of FUNCTIONS) {
    const metafile = await buildFunction(name);
    const jsFiles = Object.keys(metafile.outputs).filter((f) => f.endsWith(".mjs"));
    const entry = jsFiles.find((f) => f.endsWith(`${name}/index.mjs`));
    const registryChunk = metafile.outputs[entry].imports.find(
      (imp) => imp.kind === "dynamic-import" && /dynamodb-client/.test(imp.path),
    )?.path;
    if (registryChunk === undefined) throw new Error(`${name}: no lazy DynamoDB chunk found`);
    const url = (file) => pathToFileURL(path.join(root, file)).href;
    loads.push(
      { name: `${name} init`, urls: [url(entry)] },
      { name: `${name} first event`, urls: [url(entry), url(registryChunk)] },
    );
    const atInit = reachable(metafile, entry, ["import-statement"]);
    sizes.push({
      name,
      total: await sizeOf(jsFiles),
      init: await sizeOf(atInit),
      firstEvent: await sizeOf([
        ...new Set([...atInit, ...reachable(metafile, registryChunk, ["import-statement"])]),
      ]),
    });
  }

  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log("bundle      all JS       loaded at init   loaded by the first event");
  for (const s of sizes) {
    console.log(
      `${s.name.padEnd(10)} ${kb(s.total).padStart(9)} ${kb(s.init).padStart(15)} ${kb(s.firstEvent).padStart(20)}`,
    );
  }

  const verdicts = [];
  for (const { label, env } of environments) {
    const bare = [];
    const times = loads.map(() => []);
    for (let i = 0; i < RUNS; i += 1) {
      bare.push(run(["-e", "0"], env).ms);
      loads.forEach((load, j) => times[j]?.push(run(importing(load.urls), env).ms));
    }
    const bareMs = median(bare);
    console.log(`\n${label}: bare \`node -e 0\` ${bareMs.toFixed(0)} ms`);
    console.log(`  ${"load".padEnd(42)}   median    ratio`);
    loads.forEach((load, j) => {
      const ms = median(times[j] ?? []);
      const ratio = ms / bareMs;
      console.log(
        `  ${load.name.padEnd(42)} ${`${ms.toFixed(0)} ms`.padStart(8)} ${`${ratio.toFixed(2)}x`.padStart(8)}`,
      );
      if (load.name.endsWith(" init")) verdicts.push({ label, name: load.name, ratio });
    });
  }

  // Peak RSS is the same with and without the CA file; a few runs suffice.
  const rss = (args) =>
    Math.max(
      ...Array.from(
        { length: 3 },
        () => Number(run(args, machineEnv).stdout.trim().split("\n").pop()) / 1024,
      ),
    );
  console.log(`\npeak RSS: bare node ${rss(["-e", rssProbe]).toFixed(1)} MiB`);
  const rssByLoad = loads.map((load) => ({
    name: load.name,
    mib: rss(importing(load.urls, rssProbe)),
  }));
  for (const r of rssByLoad) console.log(`  ${r.name.padEnd(42)} ${r.mib.toFixed(1)} MiB`);

  const verdict = (ok) => (ok ? "met" : "NOT MET");
  console.log(
    "\nTargets: each bundle <= 500 KB; init <= 1.8x bare `node -e 0`; peak RSS <= 60 MiB.",
  );
  for (const s of sizes) console.log(`  ${s.name} size: ${verdict(s.total <= 500 * 1024)}`);
  for (const v of verdicts) {
    console.log(`  ${v.name}, ${v.label}: ${v.ratio.toFixed(2)}x, ${verdict(v.ratio <= 1.8)}`);
  }
  for (const r of rssByLoad.filter((r) => /init|event/.test(r.name))) {
    console.log(`  ${r.name} RSS: ${verdict(r.mib <= 60)}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
