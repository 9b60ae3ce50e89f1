import { parseFailureBody } from "../../functions/shared/result-files.js";
import { ageOf, clusterStates, type ClusterState } from "../cluster-state.js";
import { CliError, type CliContext } from "../cli-context.js";
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
}

async function rowFor(bucket: UserBucket, state: ClusterState, now: Date): Promise<StatusRow> {
  const base = {
    cluster: state.cluster,
    state: state.state,
    since: state.since.toISOString(),
    age: ageOf(state.since, now),
  };
  if (state.state === "running") {
    const { ip, login } = await bucket.readCreated(state.key);
    return { ...base, ip: printable(ip), login: printable(login) };
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
  const states = clusterStates(bucket.user, await bucket.list()).filter(
    (s) => cluster === undefined || s.cluster === cluster,
  );
  if (cluster !== undefined && states.length === 0) {
    throw new CliError(
      `No cluster named ${cluster} in s3://${bucket.bucket}/home/${bucket.user}/.`,
    );
  }
  const rows = await Promise.all(states.map((s) => rowFor(bucket, s, now)));
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
    ["CLUSTER", "STATE", "AGE", "DETAIL"],
    ...rows.map((r) => [
      r.cluster,
      r.state,
      r.age,
      r.ip !== undefined ? `ssh ${r.login}@${r.ip}` : (r.reasons ?? []).join(" "),
    ]),
  ];
  const lines = table(cells, (r, c, padded) => {
    const row = rows[r - 1];
    return r > 0 && c === 1 && row !== undefined ? paint[row.state](padded) : padded;
  });
  for (const line of lines) out.line(line);
  return EXIT.ok;
}
