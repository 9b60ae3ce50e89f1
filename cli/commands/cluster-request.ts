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
import { CliError, type CliContext } from "../cli-context.js";
import { EXIT, printable } from "../output.js";
import type { UserBucket } from "../user-bucket.js";
import { parseDuration, waitForCluster } from "../wait-for-cluster.js";
import { readConfig } from "./validate.js";

/** The requests that change a cluster's state (an extension does not). */
export type ClusterRequest = Exclude<TriggerAction, "extend">;

export interface RequestOptions {
  readonly config?: string | undefined;
  readonly wait?: boolean;
  readonly force?: boolean;
  readonly timeout?: string | undefined;
  /** How often to look at the bucket while waiting (for tests; default 5 s). */
  readonly pollMs?: number;
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
  const timeoutMs = parseDuration(options.timeout ?? request.defaultTimeout);
  if (timeoutMs === undefined)
    throw new CliError(
      `--timeout ${options.timeout}: use a duration such as 90s, 45m or 2h.`,
      EXIT.usage,
    );

  let body: Uint8Array = new Uint8Array();
  if (action === "create") {
    const { bytes, errors } = await readConfig(options.config);
    if (errors.length > 0) {
      out.error(`${options.config ?? "the config"} is not valid; nothing was uploaded:`);
      for (const error of errors) out.io.stderr.write(`  - ${error}\n`);
      return EXIT.failed;
    }
    body = bytes;
  }

  const bucket = await ctx.userBucket();
  const current = clusterStates(bucket.user, await bucket.list()).find(
    (s) => s.cluster === cluster,
  );
  if (current !== undefined && request.busy.includes(current.state) && options.force !== true) {
    throw new CliError(
      `Cluster ${cluster} is already ${current.state} (for ${ageOf(current.since, new Date())}); use --force to send the ${action} request anyway.`,
    );
  }

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
    intervalMs: options.pollMs ?? 5_000,
    signal: ctx.io.signal,
  });
  switch (result.kind) {
    case "timeout":
      out.error(
        `Gave up waiting after ${options.timeout ?? request.defaultTimeout}; the ${action} goes on. Check later with: flightdeck status ${cluster}`,
      );
      return EXIT.timeout;
    case "interrupted":
      out.error(
        `Stopped waiting; nothing was cancelled. Check later with: flightdeck status ${cluster}`,
      );
      return EXIT.interrupted;
    case "done":
      return report(bucket, ctx, cluster, action, result.state);
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
