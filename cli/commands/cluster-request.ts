import {
  CLUSTER_NAME_RULE,
  isClusterName,
  type ClusterName,
} from "../../functions/shared/identifiers.js";
import {
  clusterFileKey,
  parseFailureBody,
  type TriggerAction,
} from "../../functions/shared/result-files.js";
import { ageOf, clusterStates, type ClusterState, type StateName } from "../cluster-state.js";
import type { CliContext } from "../cli-context.js";
import { CliError } from "../cli-error.js";
import { EXIT, printable, type Output } from "../output.js";
import type { UserBucket } from "../user-bucket.js";
import { parseDuration, pollIntervalMs, waitForCluster } from "../wait-for-cluster.js";
import type { ClusterConfig } from "../../functions/shared/cluster-config.js";
import { checkConfig, priceOf } from "./validate.js";

/** The requests that change a cluster's state (an extension does not). */
export type ClusterRequest = Exclude<TriggerAction, "extend">;

export interface RequestOptions {
  readonly config?: string | undefined;
  readonly wait?: boolean;
  readonly force?: boolean;
  readonly timeout?: string | undefined;
}

/** What each request does: the states that make it pointless, and the one it waits for. */
const REQUESTS: Record<
  ClusterRequest,
  { busy: StateName[]; goal: StateName; defaultTimeout: string }
> = {
  create: { busy: ["pending", "running", "deleting"], goal: "running", defaultTimeout: "60m" },
  delete: { busy: ["deleting", "deleted"], goal: "deleted", defaultTimeout: "30m" },
};

export function clusterNameOf(name: string): ClusterName {
  if (!isClusterName(name)) {
    throw new CliError(
      `${JSON.stringify(name)} is not a valid cluster name: use ${CLUSTER_NAME_RULE}.`,
      EXIT.usage,
    );
  }
  return name;
}

/**
 * A cluster with no file in the user's home: the home is all FlightDeck
 * knows a user's clusters by, so there is nothing to act on. Only if the
 * user removed its files while it still runs could a stack be left, which
 * a request sent anyway with `--force` deletes.
 */
export function noSuchCluster(
  bucket: UserBucket,
  cluster: ClusterName,
  action: TriggerAction,
): CliError {
  const force =
    action === "delete"
      ? " If you removed its files while it was running, send the delete anyway with --force."
      : "";
  return new CliError(
    `No cluster named ${cluster} in s3://${bucket.bucket}/home/${bucket.user}/: nothing to ${action}. See your clusters with: flightdeck status.${force}`,
  );
}

/** Says why a `--wait` ended without an answer, and returns its exit code. */
export function reportUnfinishedWait(
  ctx: CliContext,
  kind: "timeout" | "interrupted",
  cluster: ClusterName,
  timeout: string,
  what: string,
): number {
  if (kind === "timeout") {
    ctx.out.error(
      `Gave up waiting after ${timeout}; the ${what} goes on. Check later with: flightdeck status ${cluster}`,
    );
    return EXIT.timeout;
  }
  ctx.out.error(
    `Stopped waiting; nothing was cancelled. Check later with: flightdeck status ${cluster}`,
  );
  return EXIT.interrupted;
}

/** `--timeout`, in ms: `given`, else `fallback`; a usage error when it is no duration. */
export function timeoutMsOf(given: string | undefined, fallback: string, examples: string): number {
  const timeoutMs = parseDuration(given ?? fallback);
  if (timeoutMs === undefined)
    throw new CliError(`--timeout ${given}: use a duration such as ${examples}.`, EXIT.usage);
  return timeoutMs;
}

/**
 * `flightdeck create|delete <cluster>`: validates first (a bad config is never
 * uploaded), refuses when the cluster is already in that state unless
 * `--force`, uploads the trigger file, and with `--wait` follows it to the end.
 */
export async function clusterRequestCommand(
  ctx: CliContext,
  action: ClusterRequest,
  name: string,
  options: RequestOptions,
): Promise<number> {
  const cluster = clusterNameOf(name);
  const { out } = ctx;
  const request = REQUESTS[action];
  const timeoutMs = timeoutMsOf(options.timeout, request.defaultTimeout, "90s, 45m or 2h");
  const intervalMs = options.wait === true ? pollIntervalMs(ctx.io.env) : 0;

  let body: Uint8Array = new Uint8Array();
  let config: ClusterConfig = {};
  if (action === "create") {
    const checked = await checkedConfig(out, options.config, cluster);
    if (checked === undefined) return EXIT.failed;
    ({ bytes: body, config } = checked);
  }

  const bucket = await ctx.userBucket();
  if (action === "create") await notePrice(ctx, bucket, config, cluster);
  await refusePointless(bucket, cluster, action, options.force === true);

  const key = clusterFileKey(bucket.user, cluster, action);
  await bucket.write(key, body);
  out.note(`Requested ${action} of cluster ${cluster} (s3://${bucket.bucket}/${key}).`);
  if (options.wait !== true) {
    if (out.json) out.data({ cluster, requested: action, key });
    else out.line(`Follow it with: flightdeck status ${cluster}`);
    return EXIT.ok;
  }

  const result = await waitForCluster(bucket, out, {
    cluster,
    until: [request.goal, "failed"],
    timeoutMs,
    intervalMs,
    signal: ctx.io.signal,
  });
  if (result.kind !== "done") {
    const timeout = options.timeout ?? request.defaultTimeout;
    return reportUnfinishedWait(ctx, result.kind, cluster, timeout, action);
  }
  return report(bucket, ctx, cluster, action, result.value);
}

/**
 * The config a create uploads, checked as `validate` checks it; `undefined`
 * (with every error printed) when it is not valid.
 */
async function checkedConfig(
  out: Output,
  path: string | undefined,
  cluster: ClusterName,
): Promise<{ bytes: Uint8Array; config: ClusterConfig } | undefined> {
  const { bytes, config, errors } = await checkConfig(path, undefined, cluster);
  if (errors.length === 0) return { bytes, config };
  out.error(`${printable(path ?? "the config")} is not valid; nothing was uploaded:`);
  for (const error of errors) out.io.stderr.write(`  - ${printable(error)}\n`);
  return undefined;
}

/** The price before launch: FlightDeck's published prices, kept for validate and render. */
async function notePrice(
  ctx: CliContext,
  bucket: UserBucket,
  config: ClusterConfig,
  cluster: ClusterName,
): Promise<void> {
  const { refreshPrices } = await import("../price-cache.js");
  const book = await refreshPrices(bucket, ctx.io.env);
  const price = await priceOf(ctx, config, undefined, book, cluster);
  if (price !== undefined) ctx.out.note(`Price: ${printable(price.text)}`);
}

/**
 * Refuses, unless `force`, a request the cluster's state makes pointless: a
 * delete of a cluster with no file, or any request while the cluster is in
 * one of its action's busy states.
 */
async function refusePointless(
  bucket: UserBucket,
  cluster: ClusterName,
  action: ClusterRequest,
  force: boolean,
): Promise<void> {
  const current = clusterStates(bucket.user, await bucket.list()).find(
    (s) => s.cluster === cluster,
  );
  if (current === undefined && action === "delete" && !force)
    throw noSuchCluster(bucket, cluster, action);
  if (current !== undefined && REQUESTS[action].busy.includes(current.state) && !force) {
    throw new CliError(
      `Cluster ${cluster} is already ${current.state} (for ${ageOf(current.since, new Date())}); use --force to send the ${action} request anyway.`,
    );
  }
}

async function report(
  bucket: UserBucket,
  ctx: CliContext,
  cluster: ClusterName,
  action: ClusterRequest,
  state: ClusterState,
): Promise<number> {
  const { out } = ctx;
  // Printed on the user's terminal: a result file's text is shown, never obeyed.
  if (state.state === "running") {
    const created = await bucket.readCreated(state.key);
    const ip = printable(created.ip);
    const login = printable(created.login);
    if (out.json) {
      out.data({ cluster, state: "running", ip, login, ssh: `ssh ${login}@${ip}` });
    } else {
      out.line(`${out.good("✔")} Cluster ${cluster} is ready at ${ip}`);
      out.line(`  ssh ${login}@${ip}`);
    }
    return EXIT.ok;
  }
  const text = (await bucket.read(state.key)) ?? "";
  if (state.state === "failed") {
    const reasons = (parseFailureBody(text)?.reasons ?? [text.trim()]).map(printable);
    if (out.json) out.data({ cluster, state: "failed", action, reasons });
    out.error(`Cluster ${cluster} could not be ${action === "create" ? "created" : "deleted"}:`);
    for (const reason of reasons) out.io.stderr.write(`  - ${reason}\n`);
    return EXIT.failed;
  }
  if (out.json) out.data({ cluster, state: "deleted" });
  else out.line(`${out.good("✔")} Cluster ${cluster} has been deleted.`);
  return EXIT.ok;
}
