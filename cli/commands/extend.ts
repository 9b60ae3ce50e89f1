import { parseLifetimeBody } from "../../functions/shared/lifetime-files.js";
import { clusterFileKey } from "../../functions/shared/result-files.js";
import { clusterStates, extensionAnswer } from "../cluster-state.js";
import type { CliContext } from "../cli-context.js";
import { CliError } from "../cli-error.js";
import { EXIT, printable } from "../output.js";
import { parseDuration, pollHome, pollIntervalMs } from "../wait-for-cluster.js";
import { clusterNameOf, noSuchCluster, reportUnfinishedWait } from "./cluster-request.js";

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
  let body = "";
  if (options.hours !== undefined) {
    if (!/^\d{1,4}$/.test(options.hours) || Number(options.hours) < 1)
      throw new CliError(
        `--hours ${options.hours}: use a whole number of hours, at least 1.`,
        EXIT.usage,
      );
    body = JSON.stringify({ hours: Number(options.hours) });
  }
  const timeoutMs = parseDuration(options.timeout ?? "5m");
  if (timeoutMs === undefined)
    throw new CliError(
      `--timeout ${options.timeout}: use a duration such as 90s or 5m.`,
      EXIT.usage,
    );
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
  const record = parseLifetimeBody((await bucket.read(answerKey)) ?? "");
  const granted = record?.granted === true;
  const reason = printable(record?.reason ?? "");
  const expiresAt = printable(record?.expiresAt ?? "?");
  if (out.json)
    out.data({ cluster, granted, expiresAt: record?.expiresAt, reason: reason || undefined });
  else if (granted) out.line(`${out.good("✔")} Cluster ${cluster} now expires at ${expiresAt}.`);
  else out.error(`Cluster ${cluster} was not extended: ${reason}`);
  return granted ? EXIT.ok : EXIT.failed;
}
