import * as t from "io-ts";
import {
  isReservedUserId,
  isUserId,
  USER_ID_RULE,
  type UserId,
} from "../../functions/shared/identifiers.js";
import { patternCodec, sentenceCodec } from "../../functions/shared/readable-errors.js";

/*
 * The single values a settings file holds, each with a sentence that says
 * what is expected when it is wrong.
 */

export const DeploymentName = patternCodec(
  "DeploymentName",
  /^[a-z][a-z0-9-]{1,18}[a-z0-9]$/,
  "a deployment name: 3 to 20 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen",
);

export const Region = patternCodec(
  "Region",
  /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
  'an AWS region name such as "eu-west-2"',
);

export const AccountId = patternCodec(
  "AccountId",
  /^\d{12}$/,
  "a 12-digit AWS account id, written as a string",
);

export const BucketName = patternCodec(
  "BucketName",
  /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  "an S3 bucket name: 3 to 63 lowercase letters, digits, dots or hyphens",
);

export const KeyPrefix = patternCodec(
  "KeyPrefix",
  /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/,
  'an S3 key prefix without leading or trailing slashes, such as "customizer"',
);

export const FilePath = patternCodec(
  "FilePath",
  /^[^\0]+$/,
  "a file path (relative ones start from the project folder)",
);

export const Ipv4Cidr = sentenceCodec<string>(
  "Cidr",
  'an IPv4 network in CIDR form, such as "203.0.113.0/24"',
  (input) => {
    const match =
      typeof input === "string" &&
      /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(input);
    if (!match) return undefined;
    const octetsValid = match.slice(1, 5).every((octet) => Number(octet) <= 255);
    return octetsValid && Number(match[5]) <= 32 ? (input as string) : undefined;
  },
);

/**
 * The id of a user FlightDeck provisions: an IAM user name other than the
 * reserved `default` (system accounts are refused as logins instead:
 * login-name.ts).
 */
export const ProvisionedUserId = new t.Type<UserId, string, unknown>(
  "ProvisionedUserId",
  (u): u is UserId => typeof u === "string" && isUserId(u) && !isReservedUserId(u),
  (u, c) => {
    if (typeof u !== "string" || !isUserId(u))
      return t.failure(u, c, `must be an IAM user name: ${USER_ID_RULE}`);
    return isReservedUserId(u)
      ? t.failure(
          u,
          c,
          `The user id ${JSON.stringify(u)} is reserved: it names the customizer folder every cluster runs. Give this user another name.`,
        )
      : t.success(u);
  },
  (a) => a,
);

const KEY_TYPES = new Set([
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "ssh-rsa",
]);
/** Type, one space, padded base64, then optionally one space and a printable-ASCII comment. */
const KEY_SHAPE =
  /^([a-z0-9-]+) ((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)(?: ([ -~]*))?$/;
const MAX_KEY_LENGTH = 8192;

/**
 * Whether `key` is one OpenSSH public key line FlightDeck installs:
 * `ssh-ed25519`, `ecdsa-sha2-nistp256/384/521` or `ssh-rsa`, a base64 body
 * whose embedded type matches, and an optional comment. Refuses newlines,
 * `authorized_keys` options (`command="…" ssh-rsa …`) and anything else.
 */
export function isValidSshPublicKey(key: string): boolean {
  if (key.length > MAX_KEY_LENGTH) return false;
  const match = KEY_SHAPE.exec(key);
  const [, type, body] = match ?? [];
  if (type === undefined || body === undefined || body === "" || !KEY_TYPES.has(type)) {
    return false;
  }
  // The blob starts with the key type as an SSH string (uint32 length, bytes).
  const blob = Buffer.from(body, "base64");
  if (blob.length < 4 + type.length) return false;
  const declared = blob.readUInt32BE(0);
  return declared === type.length && blob.subarray(4, 4 + declared).toString("latin1") === type;
}

export const SshPublicKey = sentenceCodec<string>(
  "SshPublicKey",
  'an OpenSSH public key on one line, such as "ssh-ed25519 AAAA… alice@laptop"',
  (input) => (typeof input === "string" && isValidSshPublicKey(input) ? input : undefined),
);

/** CloudWatch Logs accepts only these retention periods, in days. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

export const LogRetention = new t.Type<number, number, unknown>(
  "LogRetention",
  (u): u is number =>
    typeof u === "number" && (LOG_RETENTION_DAYS as readonly number[]).includes(u),
  (u, c) =>
    typeof u === "number" && (LOG_RETENTION_DAYS as readonly number[]).includes(u)
      ? t.success(u)
      : t.failure(
          u,
          c,
          `must be one of the periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
        ),
  (a) => a,
);

/** A whole number from `min` to `max`, and the sentence that says so when it is not. */
export const wholeNumberIn = (name: string, min: number, max: number, sentence: string) => {
  const fits = (u: unknown): u is number =>
    Number.isInteger(u) && (u as number) >= min && (u as number) <= max;
  return new t.Type<number, number, unknown>(
    name,
    fits,
    (u, c) => (fits(u) ? t.success(u) : t.failure(u, c, sentence)),
    (a) => a,
  );
};

export const WholeDays = wholeNumberIn(
  "Days",
  1,
  3650,
  "must be a whole number of days from 1 to 3650",
);
