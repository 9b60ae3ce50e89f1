import { parseLifetimeBody } from "../../functions/shared/lifetime-files.js";
import {
  LIFETIME_METADATA,
  loginOfCreated,
  parseFailureBody,
} from "../../functions/shared/result-files.js";
import { ageOf, clusterStates, timeLeft, type ClusterState } from "../cluster-state.js";
import type { CliContext } from "../cli-context.js";
import { CliError } from "../cli-error.js";
import { cents, usd } from "../../functions/shared/money.js";
import {
  homeFileKey,
  parseUsageReport,
  USAGE_FILE,
  type UsageReport,
} from "../../functions/shared/usage-files.js";
import { EXIT, printable, table } from "../output.js";
import type { UserBucket } from "../user-bucket.js";

interface StatusRow {
  readonly cluster: string;
  readonly state: ClusterState["state"];
  readonly since: string;
  readonly age: string;
  readonly ip?: string;
  readonly login?: string;
  readonly reasons?: readonly string[];
  /** Running clusters: when the control plane deletes it (ISO 8601), and the time left. */
  readonly expiresAt?: string;
  readonly timeLeft?: string;
  /** Running clusters: minutes without jobs or logins before it deletes itself; 0 is never. */
  readonly idleDeleteMinutes?: number;
  /** Running clusters: the most it costs per hour, USD (an estimate, quoted at its create). */
  readonly maxCostPerHour?: number;
  /** What it has cost this month so far, USD (FlightDeck's estimate, from flightdeck-usage.json). */
  readonly spent?: number;
}

/** A running cluster's lifetime, from `.cf-created`'s metadata and any newer lifetime file. */
async function lifetimeOf(
  bucket: UserBucket,
  state: ClusterState,
  metadata: Record<string, string>,
  now: Date,
): Promise<Pick<StatusRow, "expiresAt" | "timeLeft" | "idleDeleteMinutes" | "maxCostPerHour">> {
  const rate = Number(metadata[LIFETIME_METADATA.maxCostPerHour] ?? Number.NaN);
  let expires = metadata[LIFETIME_METADATA.expiresAt];
  if (state.lifetimeKey !== undefined) {
    const record = parseLifetimeBody((await bucket.read(state.lifetimeKey)) ?? "");
    expires = record?.expiresAt ?? expires;
  }
  const idle = metadata[LIFETIME_METADATA.idleDeleteMinutes];
  const expiresAt = expires === undefined ? undefined : new Date(expires);
  return {
    ...(expiresAt === undefined || Number.isNaN(expiresAt.getTime())
      ? {}
      : { expiresAt: expiresAt.toISOString(), timeLeft: timeLeft(expiresAt, now) }),
    ...(idle !== undefined && /^\d+$/.test(idle) ? { idleDeleteMinutes: Number(idle) } : {}),
    ...(Number.isFinite(rate) && rate >= 0 ? { maxCostPerHour: rate } : {}),
  };
}

async function rowFor(
  bucket: UserBucket,
  state: ClusterState,
  now: Date,
  usage: UsageReport | undefined,
): Promise<StatusRow> {
  const spent = usage?.clusters.find((c) => c.cluster === state.cluster)?.usd;
  const base = {
    cluster: state.cluster,
    state: state.state,
    since: state.since.toISOString(),
    age: ageOf(state.since, now),
    ...(spent === undefined ? {} : { spent }),
  };
  if (state.state === "running") {
    const created = await bucket.readFile(state.key);
    return {
      ...base,
      ip: printable((created?.text ?? "").trim()),
      login: printable(loginOfCreated(created?.metadata, bucket.user)),
      ...(await lifetimeOf(bucket, state, created?.metadata ?? {}, now)),
    };
  }
  if (state.state === "failed") {
    const text = (await bucket.read(state.key)) ?? "";
    const reasons = parseFailureBody(text)?.reasons ?? [text.trim()];
    return { ...base, reasons: reasons.map(printable) };
  }
  return base;
}

/** `flightdeck status [<cluster>]` and `flightdeck list`: each cluster's state, from the files in the user's home. */
export async function statusCommand(ctx: CliContext, cluster: string | undefined): Promise<number> {
  const bucket = await ctx.userBucket();
  const now = new Date();
  const [files, usage] = await Promise.all([
    bucket.list(),
    readUsage(bucket, now),
    // Kept for validate and render, which price configs offline.
    import("../price-cache.js").then(({ refreshPrices }) => refreshPrices(bucket, ctx.io.env)),
  ]);
  const states = clusterStates(bucket.user, files).filter(
    (s) => cluster === undefined || s.cluster === cluster,
  );
  if (cluster !== undefined && states.length === 0) {
    throw new CliError(
      `No cluster named ${cluster} in s3://${bucket.bucket}/home/${bucket.user}/.`,
    );
  }
  const rows = await Promise.all(states.map((s) => rowFor(bucket, s, now, usage)));
  const { out } = ctx;
  if (out.json) {
    out.data(rows);
    return EXIT.ok;
  }
  if (rows.length === 0) {
    out.line(
      `No clusters yet in s3://${bucket.bucket}/home/${bucket.user}/. Create one with: flightdeck create <name>`,
    );
    return EXIT.ok;
  }
  const paint = {
    running: out.good,
    failed: out.bad,
    pending: out.bold,
    deleting: out.bold,
    deleted: out.dim,
  };
  const cells = [
    ["CLUSTER", "STATE", "AGE", "EXPIRES IN", "IDLE DELETE", "MAX/HOUR", "SPENT", "DETAIL"],
    ...rows.map((r) => [
      // A key can hold anything; the name is shown as its key spells it, escaped.
      printable(r.cluster),
      r.state,
      r.age,
      r.timeLeft ?? "-",
      r.idleDeleteMinutes === undefined
        ? "-"
        : r.idleDeleteMinutes === 0
          ? "never"
          : `${r.idleDeleteMinutes}m`,
      r.maxCostPerHour === undefined ? "-" : usd(r.maxCostPerHour),
      r.spent === undefined ? "-" : cents(r.spent),
      r.ip !== undefined ? `ssh ${r.login}@${r.ip}` : (r.reasons ?? []).join(" "),
    ]),
  ];
  const lines = table(cells, (r, c, padded) => {
    const row = rows[r - 1];
    return r > 0 && c === 1 && row !== undefined ? paint[row.state](padded) : padded;
  });
  for (const line of lines) out.line(line);
  if (usage !== undefined) for (const line of usageLines(usage)) out.line(line);
  return EXIT.ok;
}

/** This month's `flightdeck-usage.json`, if the sweep has written one (an older month's is stale). */
async function readUsage(bucket: UserBucket, now: Date): Promise<UsageReport | undefined> {
  const text = await bucket.read(homeFileKey(bucket.user, USAGE_FILE)).catch(() => undefined);
  const usage = text === undefined ? undefined : parseUsageReport(text);
  return usage?.month === now.toISOString().slice(0, 7) ? usage : undefined;
}

/** The month's spend and budget, under the table. */
function usageLines(usage: UsageReport): string[] {
  const budget =
    usage.budget === undefined
      ? ""
      : ` of your ${cents(usage.budget)} monthly budget (${cents(usage.left ?? 0)} left)`;
  const lines = [
    `Spent in ${usage.month}: ${cents(usage.spent)}${budget}, as of ${usage.updatedAt.slice(11, 16)} UTC.`,
  ];
  if (usage.stopAt !== undefined)
    lines.push(
      `A budget is spent: no cluster can be created or extended, and running clusters are deleted at ${usage.stopAt.slice(0, 16)}Z (your home is kept).`,
    );
  lines.push(`Every figure is ${usage.estimate}.`);
  return lines.map(printable);
}
