// Benchmarks the built Lambda bundles: size, whole-process cold load, peak RSS.
// Prints figures; asserts nothing. Cold load is a fresh `node` that imports a
// bundle (which decodes its configuration and constructs its SDK clients),
// measured against a bare `node -e 0` in the same run, interleaved, so the
// ratio holds on a noisy machine.
import { spawnSync } from "node:child_process";
import { stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildFunction, FUNCTIONS } from "../build.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = {
  ...process.env,
  AWS_REGION: "eu-west-2",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  FD_USER_BUCKET: "users",
  FD_CUSTOMIZER_BUCKET: "customizer",
  FD_POLICY_KEY: "flightdeck/policy.json",
  FD_TEMPLATE_KEY: "flightdeck/templates/cluster.json",
  FD_SERVICE_ROLE_ARN: "arn:aws:iam::111122223333:role/flightdeck/cluster-builder",
  FD_REGISTRY_TABLE: "flightdeck-clusters",
};

/** Runs node once; returns wall time in ms and the peak RSS it reports in MiB. */
function run(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} failed:\n${result.stderr}`);
  return { ms, rssMiB: Number(result.stdout.trim().split("\n").pop()) / 1024 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rssProbe = "console.log(process.resourceUsage().maxRSS)";

/** Bytes of JavaScript loaded at cold start: the entry and the chunks it imports statically. */
function coldStartFiles(metafile, entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imp of metafile.outputs[file]?.imports ?? []) {
      if (imp.kind === "import-statement" && !imp.external) visit(imp.path);
    }
  };
  visit(entry);
  return [...seen];
}

const sizeOf = async (files) =>
  (await Promise.all(files.map((f) => stat(path.join(root, f))))).reduce((n, s) => n + s.size, 0);

console.log(`Benchmark of the Lambda bundles (${RUNS} interleaved runs each, medians)\n`);
const rows = [];
for (const name of FUNCTIONS) {
  const metafile = await buildFunction(name);
  const jsFiles = Object.keys(metafile.outputs).filter((f) => f.endsWith(".mjs"));
  const entry = jsFiles.find((f) => f.endsWith(`${name}/index.mjs`));
  const total = await sizeOf(jsFiles);
  const cold = await sizeOf(coldStartFiles(metafile, entry));
  const url = pathToFileURL(path.join(root, entry)).href;
  const bare = [];
  const loaded = [];
  for (let i = 0; i < RUNS; i += 1) {
    bare.push(run(["-e", rssProbe]));
    loaded.push(
      run(["--input-type=module", "-e", `await import(${JSON.stringify(url)}); ${rssProbe}`]),
    );
  }
  const bareMs = median(bare.map((r) => r.ms));
  const loadMs = median(loaded.map((r) => r.ms));
  rows.push({
    name,
    totalKB: total / 1024,
    coldKB: cold / 1024,
    bareMs,
    loadMs,
    ratio: loadMs / bareMs,
    rss: Math.max(...loaded.map((r) => r.rssMiB)),
    bareRss: Math.max(...bare.map((r) => r.rssMiB)),
  });
}

const fmt = (n, d = 1) => n.toFixed(d);
console.log("bundle      all JS   at cold start   bare node   cold load   ratio   peak RSS (bare)");
for (const r of rows) {
  console.log(
    `${r.name.padEnd(10)} ${fmt(r.totalKB).padStart(6)} KB ${fmt(r.coldKB).padStart(9)} KB ${fmt(r.bareMs, 0).padStart(8)} ms ${fmt(r.loadMs, 0).padStart(8)} ms ${fmt(r.ratio, 2).padStart(6)}x ${fmt(r.rss).padStart(6)} MiB (${fmt(r.bareRss)})`,
  );
}
console.log("\nTargets: each bundle <= 500 KB; cold load <= 1.8x bare node; peak RSS <= 60 MiB.");
for (const r of rows) {
  const verdict = (ok) => (ok ? "met" : "MISSED");
  console.log(
    `${r.name}: size ${verdict(r.totalKB <= 500)}, cold load ${verdict(r.ratio <= 1.8)}, RSS ${verdict(r.rss <= 60)}`,
  );
}
