import {
  isClusterName,
  isUserId,
  type ClusterName,
  type StackPrefix,
  type UserId,
} from "./identifiers.js";

declare const stackNameBrand: unique symbol;
/** A CloudFormation stack name that FlightDeck made for one (user, cluster) pair. */
export type StackName = string & { readonly [stackNameBrand]: true };

/** CloudFormation's own limit on a stack name. */
export const MAX_STACK_NAME_LENGTH = 128;
const MAX_CLUSTER_LENGTH = 40;
const MAX_PREFIX_LENGTH = 16;
/** Room left for the encoded user: prefix, two hyphens and the longest cluster take the rest. */
const MAX_ENCODED_USER = MAX_STACK_NAME_LENGTH - MAX_PREFIX_LENGTH - 2 - MAX_CLUSTER_LENGTH;

/*
 * A stack name is `<prefix>-<user part>-<cluster>`. The user part has no
 * hyphen, so the first hyphen after the prefix ends it, and the cluster
 * (which may hold hyphens) is the rest. Injectivity then only needs the user
 * encoding to be reversible, which `decodeUser` proves by construction.
 *
 * Readable form: letters and digits 1-9 stay as they are; "0" and the seven
 * other characters IAM allows become "0" plus one letter. When that is too
 * long, the user is packed instead: "0z" (a pair the readable form never
 * makes) then the name as a base-62 number.
 */
const ESCAPES: Readonly<Record<string, string>> = {
  "0": "0",
  "+": "p",
  "=": "e",
  ",": "c",
  ".": "d",
  "@": "a",
  _: "u",
  "-": "h",
};
const UNESCAPES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ESCAPES).map(([char, code]) => [code, char]),
);
const PACKED_MARKER = "0z";
const USER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@_-";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function escapeUser(user: string): string {
  return [...user].map((char) => (char in ESCAPES ? `0${ESCAPES[char]}` : char)).join("");
}

function unescapeUser(encoded: string): string | undefined {
  let out = "";
  for (let i = 0; i < encoded.length; i += 1) {
    const char = encoded.charAt(i);
    if (char !== "0") {
      out += char;
      continue;
    }
    const original = UNESCAPES[encoded.charAt(i + 1)];
    if (original === undefined) return undefined;
    out += original;
    i += 1;
  }
  return out;
}

/** Bijective base-69 numeral of the user name, written in base 62: no two names share a number. */
function packUser(user: string): string {
  const radix = BigInt(USER_ALPHABET.length);
  let value = 0n;
  for (const char of user) value = value * radix + BigInt(USER_ALPHABET.indexOf(char) + 1);
  let digits = "";
  while (value > 0n) {
    digits = BASE62.charAt(Number(value % 62n)) + digits;
    value /= 62n;
  }
  return PACKED_MARKER + digits;
}

function unpackUser(packed: string): string | undefined {
  let value = 0n;
  for (const char of packed) {
    const digit = BASE62.indexOf(char);
    if (digit < 0) return undefined;
    value = value * 62n + BigInt(digit);
  }
  const radix = BigInt(USER_ALPHABET.length);
  let out = "";
  while (value > 0n) {
    const digit = Number((value - 1n) % radix);
    out = USER_ALPHABET.charAt(digit) + out;
    value = (value - 1n - BigInt(digit)) / radix;
  }
  return out;
}

/**
 * A user id written with letters and digits only, different for every id:
 * the user part of stack names, and the user's segment in the deployment's
 * SSM parameter names (which allow no `@`, `+`, `=` or `,`).
 */
export function encodeUser(user: UserId): string {
  const readable = escapeUser(user);
  return readable.length <= MAX_ENCODED_USER ? readable : packUser(user);
}

function decodeUser(encoded: string): string | undefined {
  return encoded.startsWith(PACKED_MARKER)
    ? unpackUser(encoded.slice(PACKED_MARKER.length))
    : unescapeUser(encoded);
}

/**
 * The stack name for a user's cluster: deterministic, valid for CloudFormation
 * (`[a-zA-Z][-a-zA-Z0-9]*`, at most 128 characters) and different for every
 * (user, cluster) pair. The seed used the bare cluster name, so two users
 * collided and one could delete the other's cluster.
 *
 * @example
 * stackNameFor("fd", "alice", "c1")        // => "fd-alice-c1"
 * stackNameFor("fd", "alice.smith", "c1")  // => "fd-alice0dsmith-c1"
 */
export function stackNameFor(prefix: StackPrefix, user: UserId, cluster: ClusterName): StackName {
  return `${prefix}-${encodeUser(user)}-${cluster}` as StackName;
}

/**
 * The stack-name prefix shared by all of one user's stacks, and by no one
 * else's, since the encoded user part never contains a hyphen.
 */
export function userStackPrefix(prefix: StackPrefix, user: UserId): string {
  return `${prefix}-${encodeUser(user)}-`;
}

/**
 * Reverses {@link stackNameFor}: the (user, cluster) a stack name belongs to,
 * or `undefined` for a name FlightDeck did not make under `prefix`.
 */
export function parseStackName(
  prefix: StackPrefix,
  name: string,
): { user: UserId; cluster: ClusterName; stackName: StackName } | undefined {
  if (!name.startsWith(`${prefix}-`)) return undefined;
  const rest = name.slice(prefix.length + 1);
  const hyphen = rest.indexOf("-");
  if (hyphen <= 0) return undefined;
  const user = decodeUser(rest.slice(0, hyphen));
  const cluster = rest.slice(hyphen + 1);
  if (user === undefined || !isUserId(user) || !isClusterName(cluster)) return undefined;
  // Only the canonical spelling counts, so parse and format are exact inverses.
  if (stackNameFor(prefix, user, cluster) !== name) return undefined;
  return { user, cluster, stackName: name as StackName };
}

/** The stack name inside a CloudFormation stack ARN (`arn:…:stack/<name>/<uuid>`). */
export function stackNameOfArn(stackId: string): string | undefined {
  return /^arn:[^:]+:cloudformation:[^:]*:\d*:stack\/([^/]+)\/[^/]+$/.exec(stackId)?.[1];
}
