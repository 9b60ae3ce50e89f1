import { parseLifetimeBody } from "../../functions/shared/lifetime-files.js";
import { clusterFileKey } from "../../functions/shared/result-files.js";
import { clusterStates } from "../cluster-state.js";
import { CliError, type CliContext } from "../cli-context.js";
import { EXIT, printable } from "../output.js";
import { parseDuration } from "../wait-for-cluster.js";
import { clusterNameOf } from "./cluster-request.js";

export interface ExtendOptions {
  readonly hours?: string | undefined;
  readonly wait?: boolean;
  readonly timeout?: string | undefined;
  /** How often to look at the bucket while waiting (for tests; default 5 s). */
  readonly pollMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `flightdeck extend <cluster> [--hours N] [--wait]`: asks for more time by
 * uploading `<cluster>.cf-extend`; with `--wait`, prints the answer from
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
  const bucket = await ctx.userBucket();
  const current = clusterStates(bucket.user, await bucket.list()).find(
    (s) => s.cluster === cluster,
  );
  if (current?.state !== "running") {
    throw new CliError(
      `Cluster ${cluster} is ${current?.state ?? "unknown"}, not running; only a running cluster can be extended.`,
    );
  }
  const key = clusterFileKey(bucket.user, cluster, "extend");
  const answerKey = clusterFileKey(bucket.user, cluster, "extended");
  // S3 times objects to the second, so an earlier answer written in the same
  // second would pass for this one's: remove it first, and any answer that
  // appears is this request's.
  await bucket.remove(answerKey);
  const asked = new Date(Date.now() - 1_000);
  await bucket.write(key, body);
  out.note(`Requested more time for cluster ${cluster} (s3://${bucket.bucket}/${key}).`);
  if (options.wait !== true) {
    if (out.json) out.data({ cluster, requested: "extend", key });
    else out.line(`See the answer with: flightdeck status ${cluster}`);
    return EXIT.ok;
  }
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const answer = (await bucket.list()).find(
      (f) => f.key === answerKey && f.lastModified >= asked,
    );
    if (answer !== undefined) {
      const record = parseLifetimeBody((await bucket.read(answerKey)) ?? "");
      const granted = record?.granted === true;
      const reason = printable(record?.reason ?? "");
      if (out.json)
        out.data({ cluster, granted, expiresAt: record?.expiresAt, reason: reason || undefined });
      else if (granted)
        out.line(`${out.good("✔")} Cluster ${cluster} now expires at ${record?.expiresAt ?? "?"}.`);
      else out.error(`Cluster ${cluster} was not extended: ${reason}`);
      return granted ? EXIT.ok : EXIT.failed;
    }
    if (ctx.io.signal?.aborted === true) return EXIT.interrupted;
    await sleep(options.pollMs ?? 5_000);
  }
  out.error(
    `No answer after ${options.timeout ?? "5m"}. Check later with: flightdeck status ${cluster}`,
  );
  return EXIT.timeout;
}
