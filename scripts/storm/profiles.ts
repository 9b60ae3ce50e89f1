import { DEFAULT_CONCURRENCY } from "../../stacks/settings/settings-shape.js";
import type { EnvironmentKind } from "../../tests/support/storm/lambda-environment.js";
import { INSTANT, type CloudBehaviour } from "../../tests/support/storm/storm-cloudformation.js";
import { StormWorld, type StormOptions } from "../../tests/support/storm/storm-world.js";

/*
 * The AWS each scenario of bench:storm runs against, by name. The bench
 * prints every profile in full at its start, and every world a scenario
 * starts (startWorld) prints the profile and the kind of environment it
 * runs, from the very values it runs with, so a figure cannot be read
 * against the wrong one.
 */

/** A named CloudFormation behaviour. */
export interface CloudProfile {
  readonly name: string;
  readonly cloud: CloudBehaviour;
}

/** CloudFormation as the storm meets it: many clusters at once. */
export const REALISTIC: CloudProfile = {
  name: "REALISTIC",
  cloud: {
    latencyMs: [50, 150],
    throttleRate: 0.1,
    // The account's CloudFormation request budget, shared by every action.
    budget: { perSecond: 50, burst: 100 },
    // A 10-minute build, scaled down: settlement only has to come later, and out of order.
    settleMs: [500, 3000],
    deliveryMs: [50, 1000],
    duplicateRate: 0.05,
    seed: 2026,
  },
};

/**
 * One cluster at a time: REALISTIC's latency, throttling and budget, stacks
 * settling sooner (the bench waits for each), and no doubled events (so each
 * lifecycle is the same four invocations).
 */
export const SINGLE: CloudProfile = {
  name: "SINGLE",
  cloud: { ...REALISTIC.cloud, settleMs: [200, 400], deliveryMs: [50, 150], duplicateRate: 0 },
};

/** No AWS latency at all: what is left is the handlers' own work and the local servers'. */
export const NO_LATENCY: CloudProfile = { name: "INSTANT", cloud: INSTANT };

/** S3's own time per request, through the fault proxy: none with the INSTANT profile. */
const s3LatencyOf = (profile: CloudProfile) =>
  profile.cloud === INSTANT ? ([0, 0] as const) : ([10, 30] as const);

/** A world of `users` × `clustersPerUser` against `profile`, with the deployment's defaults. */
function stormOptions(
  profile: CloudProfile,
  environments: EnvironmentKind,
  users = 1,
  clustersPerUser = 1,
): StormOptions {
  return {
    users,
    clustersPerUser,
    cloud: profile.cloud,
    s3LatencyMs: s3LatencyOf(profile),
    // The functions' reserved concurrency, as the default settings give it.
    concurrency: DEFAULT_CONCURRENCY,
    // Lambda waits ~1 and ~2 minutes before its retries; scaled down 60×.
    retryDelaysMs: [1000, 2000],
    s3DuplicateRate: profile.cloud.duplicateRate,
    uploadParallelism: 20,
    serversOutOfProcess: true,
    environments,
  };
}

const range = ([min, max]: readonly [number, number]) =>
  min === max ? `${min} ms` : `${min}–${max} ms`;

/** The profile in words: every figure that shapes the run. */
function describeProfile(profile: CloudProfile): string {
  const c = profile.cloud;
  if (c === INSTANT)
    return `${profile.name}: CloudFormation and SES answer at once, never throttle, stacks settle and events arrive at once; S3 adds no latency`;
  return (
    `${profile.name}: CloudFormation ${range(c.latencyMs)} a call, ${c.throttleRate * 100} % refused at random, ` +
    `an account budget of ${c.budget.perSecond}/s (burst ${c.budget.burst}); stacks settle after ${range(c.settleMs)}; ` +
    `EventBridge delivers after ${range(c.deliveryMs)}, ${c.duplicateRate * 100} % twice; ` +
    `S3 ${range(s3LatencyOf(profile))} a request, ${c.duplicateRate * 100} % of notifications twice`
  );
}

/** What an environment kind means in the figures. */
function describeEnvironments(kind: EnvironmentKind): string {
  return kind === "process"
    ? "each execution environment a fresh node process that imports the bundle, every chunk, from scratch (real init)"
    : "each execution environment a module instance in the bench's process, sharing its loaded, JIT-warm SDK chunks (warm steady state only)";
}

/** Every profile and environment kind in full, for the bench's opening lines. */
export function describeAll(): string[] {
  return [
    "Profiles:",
    ...[REALISTIC, SINGLE, NO_LATENCY].map((profile) => `  ${describeProfile(profile)}`),
    "Execution environments:",
    ...(["process", "module"] as const).map((kind) => `  ${kind}: ${describeEnvironments(kind)}`),
  ];
}

/**
 * Starts a world of `users` × `clustersPerUser` against `profile`, with
 * `kind` environments and any `extra` options, and prints what it runs.
 */
export async function startWorld(
  profile: CloudProfile,
  kind: EnvironmentKind,
  users = 1,
  clustersPerUser = 1,
  extra: Partial<StormOptions> = {},
): Promise<StormWorld> {
  const options = { ...stormOptions(profile, kind, users, clustersPerUser), ...extra };
  console.log(
    `  [world: ${users} × ${clustersPerUser}, profile ${profile.name}, ${options.environments} environments` +
      `${options.uploadsVia === "direct" ? ", S3 invoking the functions directly" : ""}]`,
  );
  return new StormWorld(options).start();
}
