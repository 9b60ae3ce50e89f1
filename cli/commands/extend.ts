import type { ClusterName } from "../../functions/shared/identifiers.js";
import { parseLifetimeBody } from "../../functions/shared/lifetime-files.js";
import { clusterFileKey } from "../../functions/shared/result-files.js";
import { clusterStates, extensionAnswer } from "../cluster-state.js";
import type { CliContext } from "../cli-context.js";
import { CliError } from "../cli-error.js";
import { EXIT, printable, type Output } from "../output.js";
import { pollHome, pollIntervalMs } from "../wait-for-cluster.js";
import {
  clusterNameOf,
  noSuchCluster,
  reportUnfinishedWait,
  timeoutMsOf,
} from "./cluster-request.js";

export interface ExtendOptions {
  readonly hours?: string | undefined;
  readonly wait?: boolean;
  readonly timeout?: string | undefined;
}

/**
 * `flightdeck extend <cluster> [--hours N] [--wait]`: asks for more time by
 * uploading `<cluster>.cf-extend`; with `--wait`, follows the home as create
 * and delete do (Ctrl-C stops the waiting) and prints the answer from
 * `<cluster>.cf-extended` (exit 0 granted, 1 refused).
 */
export async function extendCommand(
  ctx: CliContext,
  name: string,
  options: ExtendOptions,
): Promise<number> {
  const cluster = clusterNameOf(name);
  const { out } = ctx;
  const body = requestBody(options.hours);
  const timeoutMs = timeoutMsOf(options.timeout, "5m", "90s or 5m");
  const intervalMs = options.wait === true ? pollIntervalMs(ctx.io.env) : 0;
  const bucket = await ctx.userBucket();
  const current = clusterStates(bucket.user, await bucket.list()).find(
    (s) => s.cluster === cluster,
  );
  if (current === undefined) throw noSuchCluster(bucket, cluster, "extend");
  if (current.state !== "running") {
    throw new CliError(
      `Cluster ${cluster} is ${current.state}, not running; only a running cluster can be extended.`,
    );
  }
  const key = clusterFileKey(bucket.user, cluster, "extend");
  const answerKey = clusterFileKey(bucket.user, cluster, "extended");
  // The answer to an earlier request must not pass for this one's.
  await bucket.remove(answerKey);
  await bucket.write(key, body);
  out.note(`Requested more time for cluster ${cluster} (s3://${bucket.bucket}/${key}).`);
  if (options.wait !== true) {
    if (out.json) out.data({ cluster, requested: "extend", key });
    else out.line(`See the answer with: flightdeck status ${cluster}`);
    return EXIT.ok;
  }
  const result = await pollHome(bucket, out, {
    probe: (files) => {
      const answer = extensionAnswer(bucket.user, cluster, files);
      return answer === undefined
        ? { showing: `${cluster}: waiting for the answer` }
        : { done: answer };
    },
    timeoutMs,
    intervalMs,
    signal: ctx.io.signal,
  });
  if (result.kind !== "done")
    return reportUnfinishedWait(ctx, result.kind, cluster, options.timeout ?? "5m", "request");
  return printAnswer(out, cluster, (await bucket.read(answerKey)) ?? "");
}

/** The `.cf-extend` body: `--hours`, when given (a usage error unless a whole number from 1). */
function requestBody(hours: string | undefined): string {
  if (hours === undefined) return "";
  if (!/^\d{1,4}$/.test(hours) || Number(hours) < 1)
    throw new CliError(`--hours ${hours}: use a whole number of hours, at least 1.`, EXIT.usage);
  return JSON.stringify({ hours: Number(hours) });
}

/** Prints the `.cf-extended` answer and returns the exit code: 0 granted, 1 refused. */
function printAnswer(out: Output, cluster: ClusterName, answer: string): number {
  const record = parseLifetimeBody(answer);
  const granted = record?.granted === true;
  const reason = printable(record?.reason ?? "");
  const expiresAt = printable(record?.expiresAt ?? "?");
  if (out.json)
    out.data({ cluster, granted, expiresAt: record?.expiresAt, reason: reason || undefined });
  else if (granted) out.line(`${out.good("✔")} Cluster ${cluster} now expires at ${expiresAt}.`);
  else out.error(`Cluster ${cluster} was not extended: ${reason}`);
  return granted ? EXIT.ok : EXIT.failed;
}
