// Benchmarks how fast the `flightdeck` command starts, as package.json's `bin`
// runs it. Prints figures; asserts nothing. Each run is a fresh `node`,
// measured against a bare `node -e 0` in the same run, interleaved, so the
// ratios hold on a noisy machine.
//
// - validate: the whole command, start to exit, on the seed's example config.
// - status: from start to its first network call. The CLI is pointed at a
//   loopback listener of this script (AWS_ENDPOINT_URL_S3, with --user so no
//   STS call comes first), and the clock stops when its first connection
//   arrives; the listener then drops it and the command exits with an error.
//   So everything status does before talking to AWS is counted (loading the
//   SDK, building the client, credentials, signing), and no network time is.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = path.join(
  root,
  JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).bin.flightdeck,
);
const seed = path.join(root, "tests", "fixtures", "configs", "seed-example.json");

const listener = createServer((socket) => {
  arrivals.shift()?.(performance.now());
  socket.destroy();
});
/** Resolvers waiting for the next connection, oldest first. */
const arrivals = [];
await new Promise((resolve) => listener.listen(0, "127.0.0.1", resolve));
const endpoint = `http://127.0.0.1:${listener.address().port}`;

// The caller's environment (as bench:handlers uses it; NODE_EXTRA_CA_CERTS, for
// one, slows every node start alike), pointed at the listener; AWS_PROFILE is
// dropped so the credentials are the ones given here.
const env = {
  ...process.env,
  AWS_REGION: "eu-west-2",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_ENDPOINT_URL_S3: endpoint,
  AWS_MAX_ATTEMPTS: "1",
  FLIGHTDECK_S3_FORCE_PATH_STYLE: "true",
  FLIGHTDECK_BUCKET: "fd-users",
  FLIGHTDECK_USER: "alice",
};
delete env.AWS_PROFILE;

/**
 * Runs node once. Returns the wall time to exit in ms, and with `firstCall`,
 * the time until the first connection reaches the listener.
 */
function run(args, { expectCode = 0, firstCall = false } = {}) {
  return new Promise((resolve, reject) => {
    let connectedAt;
    if (firstCall) arrivals.push((at) => (connectedAt = at));
    const start = performance.now();
    const child = spawn(process.execPath, args, {
      env,
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => {
      const end = performance.now();
      if (code !== expectCode || (firstCall && connectedAt === undefined)) {
        reject(new Error(`node ${args.join(" ")} exited ${code}, not as expected:\n${stderr}`));
        return;
      }
      resolve({ ms: end - start, firstCallMs: firstCall ? connectedAt - start : undefined });
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

console.log(
  `Benchmark of the flightdeck command (${path.relative(root, bin)}; ${RUNS} interleaved runs, medians)\n`,
);
const bare = [];
const validate = [];
const status = [];
for (let i = 0; i < RUNS; i += 1) {
  bare.push(await run(["-e", "0"]));
  validate.push(await run([bin, "validate", seed]));
  // The dropped connection makes status fail (exit 1) after its first call.
  status.push(await run([bin, "status"], { expectCode: 1, firstCall: true }));
}
listener.close();

const bareMs = median(bare.map((r) => r.ms));
const rows = [
  ["bare node -e 0", bareMs, undefined],
  ["validate seed-example.json", median(validate.map((r) => r.ms)), 2],
  ["status, to its first network call", median(status.map((r) => r.firstCallMs)), 2.5],
  ["status, to exit (call dropped)", median(status.map((r) => r.ms)), undefined],
];
for (const [what, ms, target] of rows) {
  const ratio = ms / bareMs;
  const goal =
    target === undefined ? "" : `  target <= ${target}x: ${ratio <= target ? "met" : "MISSED"}`;
  console.log(
    `${what.padEnd(36)} ${ms.toFixed(0).padStart(6)} ms ${ratio.toFixed(2).padStart(6)}x${goal}`,
  );
}
