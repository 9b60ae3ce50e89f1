import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { FakeCloudFormation } from "../tests/support/fake-cloudformation.js";
import { BenchGoals } from "./bench-goals.js";

/*
 * `npm run bench:cli`: how fast the `flightdeck` command starts, as
 * package.json's `bin` runs it, each figure beside its goal; exits 1 when one
 * is missed. Each run is a fresh `node`, measured against a bare `node -e 0`
 * in the same run, interleaved, so the ratios hold on a noisy machine.
 *
 * - validate: the whole command, start to exit, on the seed's example config.
 * - status: the command as a user runs it, with no --user: it asks STS who
 *   the caller is, then reads their home in S3. STS is a loopback server (the
 *   tests' fake, which answers GetCallerIdentity as IAM user alice) behind a
 *   proxy that notes when the CLI first connects; S3 is a loopback listener
 *   that notes its first connection and drops it, so the command then exits
 *   with an error. Three figures per run:
 *     to its first network call  everything before talking to AWS (loading
 *                                the SDK, building the clients, resolving
 *                                region and credentials, signing);
 *     to its first S3 call       that, and the STS path: the STS client, its
 *                                GetCallerIdentity over loopback, the caller's
 *                                id read from its answer;
 *     to exit                    that, and failing on the dropped call.
 *   Twice: with credentials in the environment, and with a named profile
 *   (AWS_PROFILE) whose region and keys the SDK reads from config files, as
 *   most users' machines have them.
 */

const RUNS = Number(process.env["BENCH_RUNS"] ?? 21);
const GOALS = { validate: 2, firstCall: 2.5 } as const;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const packageJson = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  bin: { flightdeck: string };
};
const bin = path.join(root, packageJson.bin.flightdeck);
const seed = path.join(root, "tests", "fixtures", "configs", "seed-example.json");

/** A loopback listener that reports each connection's arrival to the oldest waiter. */
class Arrivals {
  readonly waiters: Array<(at: number) => void> = [];
  arrived(): void {
    this.waiters.shift()?.(performance.now());
  }
}

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const stsArrivals = new Arrivals();
const s3Arrivals = new Arrivals();
const sts = new FakeCloudFormation();
const stsUrl = new URL(await sts.start());
// The proxy in front of STS: it notes the connection, then passes it through.
const stsProxy = createServer((socket) => {
  stsArrivals.arrived();
  const upstream = connect(Number(stsUrl.port), stsUrl.hostname);
  socket.pipe(upstream).pipe(socket);
  upstream.on("error", () => socket.destroy());
  socket.on("error", () => upstream.destroy());
});
const s3Listener = createServer((socket) => {
  s3Arrivals.arrived();
  socket.destroy();
});
const stsEndpoint = await listen(stsProxy);
const s3Endpoint = await listen(s3Listener);

// The caller's environment (NODE_EXTRA_CA_CERTS, for one, slows every node start alike), pointed
// at the loopback servers; no AWS_PROFILE, no FLIGHTDECK_USER (the user comes from STS).
const callerEnv: NodeJS.ProcessEnv = { ...process.env };
delete callerEnv["AWS_PROFILE"];
delete callerEnv["FLIGHTDECK_USER"];
const common = {
  ...callerEnv,
  AWS_ENDPOINT_URL_S3: s3Endpoint,
  AWS_ENDPOINT_URL_STS: stsEndpoint,
  AWS_MAX_ATTEMPTS: "1",
  FLIGHTDECK_S3_FORCE_PATH_STYLE: "true",
  FLIGHTDECK_BUCKET: "fd-users",
};
const envCredentials = {
  ...common,
  AWS_REGION: "eu-west-2",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
};
const awsDir = mkdtempSync(path.join(tmpdir(), "fd-bench-cli-"));
writeFileSync(path.join(awsDir, "config"), "[profile bench]\nregion = eu-west-2\n");
writeFileSync(
  path.join(awsDir, "credentials"),
  "[bench]\naws_access_key_id = bench\naws_secret_access_key = bench\n",
);
const profileCredentials = {
  ...common,
  AWS_PROFILE: "bench",
  AWS_CONFIG_FILE: path.join(awsDir, "config"),
  AWS_SHARED_CREDENTIALS_FILE: path.join(awsDir, "credentials"),
};
for (const key of [
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
])
  delete (profileCredentials as Record<string, string | undefined>)[key];

interface Run {
  readonly ms: number;
  readonly stsMs: number;
  readonly s3Ms: number;
}

/** Runs node once: the wall time to exit, and with `calls`, to the first STS and S3 connections. */
function run(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  { expectCode = 0, calls = false } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    let stsAt = Number.NaN;
    let s3At = Number.NaN;
    if (calls) {
      stsArrivals.waiters.push((at) => (stsAt = at));
      s3Arrivals.waiters.push((at) => (s3At = at));
    }
    const start = performance.now();
    const child = spawn(process.execPath, args, {
      env,
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => {
      const end = performance.now();
      if (code !== expectCode || (calls && (Number.isNaN(stsAt) || Number.isNaN(s3At)))) {
        reject(new Error(`node ${args.join(" ")} exited ${code}, not as expected:\n${stderr}`));
        return;
      }
      resolve({ ms: end - start, stsMs: stsAt - start, s3Ms: s3At - start });
    });
  });
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

console.log(
  `# bench:cli — the flightdeck command (${path.relative(root, bin)}); ${RUNS} interleaved runs, medians\n`,
);
const bare: Run[] = [];
const validate: Run[] = [];
const viaEnv: Run[] = [];
const viaProfile: Run[] = [];
try {
  for (let i = 0; i < RUNS; i += 1) {
    bare.push(await run(["-e", "0"], envCredentials));
    validate.push(await run([bin, "validate", seed], envCredentials));
    // The dropped S3 connection makes status fail (exit 1) after its first S3 call.
    viaEnv.push(await run([bin, "status"], envCredentials, { expectCode: 1, calls: true }));
    viaProfile.push(await run([bin, "status"], profileCredentials, { expectCode: 1, calls: true }));
  }
} finally {
  stsProxy.close();
  s3Listener.close();
  await sts.stop();
  rmSync(awsDir, { recursive: true, force: true });
}
const stsCalls = sts.calls.filter((c) => c.action === "GetCallerIdentity").length;

const goals = new BenchGoals("bench:cli");
const bareMs = median(bare.map((r) => r.ms));
const figure = (ms: number) => `${ms.toFixed(0)} ms, ${(ms / bareMs).toFixed(2)}× bare node`;
goals.figure("bare node -e 0", `${bareMs.toFixed(0)} ms`);
const validateMs = median(validate.map((r) => r.ms));
goals.check(
  "validate seed-example.json, to exit",
  figure(validateMs),
  `≤ ${GOALS.validate}× bare node`,
  validateMs / bareMs <= GOALS.validate,
);
for (const [label, runs] of [
  ["status, credentials in the environment", viaEnv],
  ["status, credentials from a profile (AWS_PROFILE)", viaProfile],
] as const) {
  const first = median(runs.map((r) => r.stsMs));
  goals.check(
    `${label}: to its first network call (STS)`,
    figure(first),
    `≤ ${GOALS.firstCall}× bare node`,
    first / bareMs <= GOALS.firstCall,
  );
  goals.figure(
    `${label}: to its first S3 call (the caller resolved through STS)`,
    figure(median(runs.map((r) => r.s3Ms))),
  );
  goals.figure(`${label}: to exit (S3 call dropped)`, figure(median(runs.map((r) => r.ms))));
}
console.log(
  `\nGetCallerIdentity calls answered by the loopback STS: ${stsCalls} (one per status run)`,
);
process.exitCode = goals.finish();
