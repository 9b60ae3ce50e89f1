import {
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
}

const STATE_OF: Record<ClusterFileKind, StateName> = {
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
  for (const file of files) {
    if (!file.key.startsWith(home)) continue;
    const name = file.key.slice(home.length);
    if (name.includes("/")) continue;
    const match = KINDS.find(([, suffix]) => name.endsWith(suffix));
    if (match === undefined) continue;
    const cluster = name.slice(0, -match[1].length);
    const current = newest.get(cluster);
    if (current === undefined || file.lastModified.getTime() >= current.since.getTime()) {
      newest.set(cluster, {
        cluster,
        state: STATE_OF[match[0]],
        since: file.lastModified,
        key: file.key,
      });
    }
  }
  return [...newest.values()].sort((a, b) => a.cluster.localeCompare(b.cluster));
}

/** A short age such as `45s`, `12m`, `3h` or `2d`. */
export function ageOf(since: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000));
  if (seconds < 90) return `${seconds}s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)}m`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}
