import { left, right, type Either } from "fp-ts/lib/Either.js";
import {
  CLUSTER_NAME_RULE,
  isClusterName,
  isUserId,
  USER_ID_RULE,
  type ClusterName,
  type UserId,
} from "./identifiers.js";
import { FILE_SUFFIXES, HOME_PREFIX, type TriggerAction } from "./result-files.js";

/** A valid trigger file: `home/<user>/<cluster>.cf-create`, `.cf-delete` or `.cf-extend`. */
export interface TriggerKey {
  readonly user: UserId;
  readonly cluster: ClusterName;
  readonly action: TriggerAction;
  /** The decoded S3 key. */
  readonly key: string;
}

/**
 * Why a key is not a trigger. When the key lies in a valid user's home,
 * `failedKey` is where that user can be told; otherwise there is no one to
 * tell, and the key is only logged.
 */
export interface KeyRejection {
  readonly reason: string;
  readonly user?: UserId;
  /** The file name without its suffix: what the user meant as the cluster name. */
  readonly name?: string;
  readonly failedKey?: string;
}

/**
 * Decodes a key as S3 puts it in an event record: form-URL-encoded, so
 * `+` is a space and `%2B` a plus.
 */
export function decodeEventKey(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

const suffixToAction: ReadonlyArray<readonly [string, TriggerAction]> = [
  [FILE_SUFFIXES.create, "create"],
  [FILE_SUFFIXES.delete, "delete"],
  [FILE_SUFFIXES.extend, "extend"],
];

/**
 * Parses an S3 event key into the user, cluster and action it asks for.
 * Anything but exactly `home/<user>/<cluster>.cf-create|.cf-delete|.cf-extend` is
 * rejected with a reason: deeper paths, `..`, empty segments, other suffixes
 * (FlightDeck's own result files among them) and invalid names.
 *
 * @example
 * parseTriggerKey("home/alice/my-cluster.cf-create")
 * // => right({ user: "alice", cluster: "my-cluster", action: "create", key: "home/alice/my-cluster.cf-create" })
 */
export function parseTriggerKey(encodedKey: string): Either<KeyRejection, TriggerKey> {
  const key = decodeEventKey(encodedKey);
  if (key === undefined) {
    return left({ reason: `The key ${JSON.stringify(encodedKey)} is not validly URL-encoded.` });
  }
  const segments = key.split("/");
  if (`${segments[0]}/` !== HOME_PREFIX || segments.length < 3) {
    return left({ reason: `The key ${JSON.stringify(key)} is not inside a user's home folder.` });
  }
  const user = segments[1] ?? "";
  if (!isUserId(user)) {
    return left({
      reason: `The folder name ${JSON.stringify(user)} is not a valid user name (${USER_ID_RULE}).`,
    });
  }
  const fileName = segments[segments.length - 1] ?? "";
  const match = suffixToAction.find(([suffix]) => fileName.endsWith(suffix));
  const stem = match ? fileName.slice(0, -match[0].length) : fileName;
  // Tell the user in their own home, next to where they would look, and only
  // when the failure file itself cannot start a handler.
  const failedKey = `${HOME_PREFIX}${user}/${stem}${FILE_SUFFIXES.failed}`;
  const reject = (reason: string): Either<KeyRejection, TriggerKey> =>
    left({ reason, user, name: stem, failedKey: match ? failedKey : undefined });

  if (!match) {
    return reject(
      `${JSON.stringify(fileName)} does not end in ${FILE_SUFFIXES.create}, ${FILE_SUFFIXES.delete} or ${FILE_SUFFIXES.extend}.`,
    );
  }
  if (segments.length !== 3) {
    const what = segments.some((s) => s === "" || s === "." || s === "..")
      ? "contains an empty, '.' or '..' folder"
      : "is in a sub-folder";
    return reject(
      `The key ${JSON.stringify(key)} ${what}; put ${fileName} directly in home/${user}/.`,
    );
  }
  if (!isClusterName(stem)) {
    return reject(`${JSON.stringify(stem)} is not a valid cluster name: use ${CLUSTER_NAME_RULE}.`);
  }
  return right({ user, cluster: stem, action: match[1], key });
}
