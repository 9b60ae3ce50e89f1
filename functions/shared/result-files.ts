import { isoTime } from "./cluster-lifetime.js";
import type { ClusterName, UserId } from "./identifiers.js";
import { derivedLogin, LOGIN_PATTERN } from "./login-name.js";

/** The suffix of each file a user or FlightDeck puts in a user's home. */
export const FILE_SUFFIXES = {
  create: ".cf-create",
  delete: ".cf-delete",
  created: ".cf-created",
  deleted: ".cf-deleted",
  failed: ".cf-failed",
  extend: ".cf-extend",
  extended: ".cf-extended",
  expiring: ".cf-expiring",
} as const;

export type ClusterFileKind = keyof typeof FILE_SUFFIXES;
export type TriggerAction = "create" | "delete" | "extend";

/** Only these suffixes start a handler; FlightDeck never writes a key that ends in one. */
export const TRIGGER_SUFFIXES: readonly string[] = [
  FILE_SUFFIXES.create,
  FILE_SUFFIXES.delete,
  FILE_SUFFIXES.extend,
];

/** Files about a running cluster's lifetime: they never decide its state. */
export const LIFETIME_FILE_KINDS: readonly ClusterFileKind[] = ["extend", "extended", "expiring"];
/** Every user's files live under this prefix, in `home/<user>/`. */
export const HOME_PREFIX = "home/";

/** A user's folder in the bucket, without the trailing `/`: the template's `UserHomePrefix`. */
export function userHomePrefix(user: UserId): string {
  return `${HOME_PREFIX}${user}`;
}

/** The S3 key of one of a cluster's files: `home/<user>/<cluster>.<suffix>`. */
export function clusterFileKey(user: UserId, cluster: ClusterName, kind: ClusterFileKind): string {
  return `${HOME_PREFIX}${user}/${cluster}${FILE_SUFFIXES[kind]}`;
}

/** What happened to a cluster, as reported to its user. */
export type Outcome =
  | {
      readonly kind: "created";
      readonly loginIp: string;
      readonly login: string;
      /** The cluster's expiry and idle policy, carried as the file's metadata. */
      readonly lifetime?: LifetimeMetadata | undefined;
    }
  /** `why`: set when FlightDeck itself ended the cluster (its lifetime, idleness). */
  | {
      readonly kind: "deleted";
      readonly why?: string | undefined;
      /** What it cost, in a sentence (an estimate: see money.ts). */
      readonly cost?: string | undefined;
    }
  | {
      readonly kind: "failed";
      readonly action: TriggerAction;
      readonly reasons: readonly string[];
    };

/** A file FlightDeck writes into a user's home. */
export interface ResultFile {
  readonly key: string;
  readonly body: string;
  readonly contentType: string;
  /** S3 user metadata (`x-amz-meta-<name>`): facts for tools, kept out of the body. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * The user metadata on `.cf-created` naming the cluster login, so the CLI can
 * print the right `ssh` line while the body stays the bare IP of the seed.
 */
export const LOGIN_METADATA = "flightdeck-login";

/**
 * The login to show for a `.cf-created` file: its {@link LOGIN_METADATA}, or,
 * for a file without one (written by hand, or by an older FlightDeck), the
 * login derived from the user id.
 */
export function loginOfCreated(
  metadata: Readonly<Record<string, string>> | undefined,
  user: UserId,
): string {
  const recorded = metadata?.[LOGIN_METADATA];
  return recorded !== undefined && LOGIN_PATTERN.test(recorded) ? recorded : derivedLogin(user);
}

/** What `.cf-created` says of its cluster's lifetime, in its S3 metadata. */
export interface LifetimeMetadata {
  readonly expiresAt: number;
  /** The cluster's `IdleDeleteMinutes`, when its template has one. */
  readonly idleDeleteMinutes?: string | undefined;
  /** The most it costs per hour, USD (an estimate: see cluster-cost.ts). */
  readonly maxCostPerHour?: number | undefined;
}

/** The metadata names `.cf-created` carries its lifetime under (as `x-amz-meta-<name>`). */
export const LIFETIME_METADATA = {
  expiresAt: "flightdeck-expires-at",
  idleDeleteMinutes: "flightdeck-idle-delete-minutes",
  maxCostPerHour: "flightdeck-max-cost-per-hour",
} as const;

/** The machine-readable last line of a `.cf-failed` file. */
export interface FailureRecord {
  readonly flightdeck: "cf-failed";
  readonly action: TriggerAction;
  readonly cluster: string;
  readonly reasons: readonly string[];
}

/**
 * The text of a `.cf-failed` file: the reasons as plain sentences for the
 * researcher, then one JSON line (a {@link FailureRecord}) for scripts.
 */
export function failureBody(
  cluster: string,
  action: TriggerAction,
  reasons: readonly string[],
): string {
  const verb = action;
  const record: FailureRecord = { flightdeck: "cf-failed", action, cluster, reasons };
  return [
    `FlightDeck could not ${verb} cluster "${cluster}":`,
    ...reasons.map((reason) => `  - ${reason}`),
    "",
    JSON.stringify(record),
    "",
  ].join("\n");
}

/** Reads the reasons back out of a `.cf-failed` body; plain text is one reason. */
export function parseFailureBody(body: string): FailureRecord | undefined {
  const last = body.trimEnd().split("\n").pop() ?? "";
  try {
    const record: unknown = JSON.parse(last);
    if (
      typeof record === "object" &&
      record !== null &&
      (record as FailureRecord).flightdeck === "cf-failed" &&
      Array.isArray((record as FailureRecord).reasons)
    ) {
      return record as FailureRecord;
    }
  } catch {
    // Not FlightDeck's format: the caller shows the text as it is.
  }
  return undefined;
}

/**
 * `.cf-deleted`: the cluster went with its disks; the user's home, their own
 * file system, did not, and neither did what they copied out with
 * `flightdeck-sync` on the master.
 */
function deletedBody(
  user: UserId,
  cluster: ClusterName,
  why: string | undefined,
  cost: string | undefined,
): string {
  const deleted =
    why === undefined
      ? `Cluster "${cluster}" has been deleted.\n`
      : `Cluster "${cluster}" has been deleted: ${why}.\n`;
  return (
    deleted +
    (cost === undefined ? "" : `${cost}\n`) +
    `Your home directory is kept: your next cluster mounts it again. Its /scratch and everything else outside your home went with it.\n` +
    `Results copied out with flightdeck-sync (on the cluster) are kept in ${userHomePrefix(user)}/results/${cluster}/.\n`
  );
}

/**
 * The file that reports `outcome` for a user's cluster. `.cf-created` holds
 * the login IP and a newline, as the seed's did, so `ssh <login>@$(cat …)`
 * works; the login travels in its metadata.
 *
 * @example
 * resultFileFor("Alice.Smith", "c1", { kind: "created", loginIp: "203.0.113.7", login: "alice_smith" })
 * // => { key: "home/Alice.Smith/c1.cf-created", body: "203.0.113.7\n",
 * //      contentType: "text/plain; charset=utf-8", metadata: { "flightdeck-login": "alice_smith" } }
 */
export function resultFileFor(user: UserId, cluster: ClusterName, outcome: Outcome): ResultFile {
  const contentType = "text/plain; charset=utf-8";
  switch (outcome.kind) {
    case "created":
      return {
        key: clusterFileKey(user, cluster, "created"),
        body: `${outcome.loginIp}\n`,
        contentType,
        metadata: {
          [LOGIN_METADATA]: outcome.login,
          ...(outcome.lifetime === undefined
            ? {}
            : {
                [LIFETIME_METADATA.expiresAt]: isoTime(outcome.lifetime.expiresAt),
                ...(outcome.lifetime.idleDeleteMinutes === undefined
                  ? {}
                  : { [LIFETIME_METADATA.idleDeleteMinutes]: outcome.lifetime.idleDeleteMinutes }),
                ...(outcome.lifetime.maxCostPerHour === undefined
                  ? {}
                  : {
                      [LIFETIME_METADATA.maxCostPerHour]:
                        outcome.lifetime.maxCostPerHour.toFixed(4),
                    }),
              }),
        },
      };
    case "deleted":
      return {
        key: clusterFileKey(user, cluster, "deleted"),
        body: deletedBody(user, cluster, outcome.why, outcome.cost),
        contentType,
      };
    case "failed":
      return {
        key: clusterFileKey(user, cluster, "failed"),
        body: failureBody(cluster, outcome.action, outcome.reasons),
        contentType,
      };
  }
}

/**
 * The files to remove once an outcome is written, so the home shows one state
 * per cluster. A failure removes the trigger that failed; the bucket keeps
 * versions, so nothing a user wrote is lost.
 */
export function staleFilesAfter(user: UserId, cluster: ClusterName, outcome: Outcome): string[] {
  const kinds: ClusterFileKind[] =
    outcome.kind === "created"
      ? ["create", "failed", "deleted", ...LIFETIME_FILE_KINDS]
      : outcome.kind === "deleted"
        ? ["delete", "created", "failed", ...LIFETIME_FILE_KINDS]
        : [outcome.action];
  return kinds.map((kind) => clusterFileKey(user, cluster, kind));
}
