import type { ClusterName, UserId } from "../functions/shared/identifiers.js";
import {
  clusterFileKey,
  FILE_SUFFIXES,
  HOME_PREFIX,
  type ClusterFileKind,
} from "../functions/shared/result-files.js";

/** One file in the user's home, as a listing shows it. */
export interface HomeFile {
  readonly key: string;
  readonly lastModified: Date;
}

export type StateName = "pending" | "running" | "deleting" | "deleted" | "failed";

/** A cluster's state, read off the files in its user's home. */
export interface ClusterState {
  readonly cluster: string;
  readonly state: StateName;
  /** When the file that decides the state was written. */
  readonly since: Date;
  /** The key of that file: `.cf-created` holds the IP, `.cf-failed` the reason. */
  readonly key: string;
  /**
   * The newest `.cf-extended` or `.cf-expiring` written since: the cluster's
   * current expiry. These files never decide the state, so a refused
   * extension leaves a running cluster running.
   */
  readonly lifetimeKey?: string | undefined;
}

const STATE_OF: Partial<Record<ClusterFileKind, StateName>> = {
  create: "pending",
  created: "running",
  delete: "deleting",
  deleted: "deleted",
  failed: "failed",
};

// Longest suffix first, so ".cf-created" is not read as ".cf-create" plus "d".
const KINDS = (Object.entries(FILE_SUFFIXES) as Array<[ClusterFileKind, string]>).sort(
  ([, a], [, b]) => b.length - a.length,
);

/**
 * Every cluster with a file in `home/<user>/`, and its state. The newest of a
 * cluster's files decides: a `.cf-delete` dropped after `.cf-created` means
 * deleting; a `.cf-create` dropped after an old `.cf-failed` means pending.
 */
export function clusterStates(user: string, files: readonly HomeFile[]): ClusterState[] {
  const home = `${HOME_PREFIX}${user}/`;
  const newest = new Map<string, ClusterState>();
  const lifetime = new Map<string, HomeFile>();
  for (const file of files) {
    if (!file.key.startsWith(home)) continue;
    const name = file.key.slice(home.length);
    if (name.includes("/")) continue;
    const match = KINDS.find(([, suffix]) => name.endsWith(suffix));
    if (match === undefined) continue;
    const cluster = name.slice(0, -match[1].length);
    const state = STATE_OF[match[0]];
    if (state === undefined) {
      const known = lifetime.get(cluster);
      if (match[0] !== "extend" && (known === undefined || file.lastModified >= known.lastModified))
        lifetime.set(cluster, file);
      continue;
    }
    const current = newest.get(cluster);
    if (current === undefined || file.lastModified.getTime() >= current.since.getTime()) {
      newest.set(cluster, {
        cluster,
        state,
        since: file.lastModified,
        key: file.key,
      });
    }
  }
  return [...newest.values()]
    .map((state) => {
      const file = lifetime.get(state.cluster);
      return file !== undefined && file.lastModified >= state.since
        ? { ...state, lifetimeKey: file.key }
        : state;
    })
    .sort((a, b) => a.cluster.localeCompare(b.cluster));
}

/**
 * The `.cf-extended` that answers the `.cf-extend` just uploaded, if it has
 * come, judged by S3's clock alone: FlightDeck writes the answer, then
 * removes the request it answered. So an answer with the request gone, or
 * written in a later second than the request (S3 times are whole seconds),
 * is this request's; one written before it is an older request's. The caller
 * removes any old answer before uploading, so none can linger.
 */
export function extensionAnswer(
  user: UserId,
  cluster: ClusterName,
  files: readonly HomeFile[],
): HomeFile | undefined {
  const answer = files.find((f) => f.key === clusterFileKey(user, cluster, "extended"));
  if (answer === undefined) return undefined;
  const request = files.find((f) => f.key === clusterFileKey(user, cluster, "extend"));
  return request === undefined || answer.lastModified > request.lastModified ? answer : undefined;
}

/** A short age such as `45s`, `12m`, `3h` or `2d`. */
export function ageOf(since: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000));
  if (seconds < 90) return `${seconds}s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)}m`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

/** Time left before an expiry, such as `5h12m`, `40m` or `2d3h`; `expired` once past. */
export function timeLeft(expiresAt: Date, now: Date): string {
  const minutes = Math.floor((expiresAt.getTime() - now.getTime()) / 60_000);
  if (minutes <= 0) return "expired";
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${String(minutes % 60).padStart(2, "0")}m`;
  return `${Math.floor(hours / 24)}d${hours % 24}h`;
}
