import * as t from "io-ts";
import { sentenceCodec } from "../../functions/shared/readable-errors.js";
import { isValidSshPublicKey } from "../customizer/user-script.js";

/*
 * The single values a settings file holds, each with a sentence that says
 * what is expected when it is wrong.
 */

const matching = (pattern: RegExp) => (input: unknown) =>
  typeof input === "string" && pattern.test(input) ? input : undefined;

export const DeploymentName = sentenceCodec<string>(
  "DeploymentName",
  "a deployment name: 3 to 20 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen",
  matching(/^[a-z][a-z0-9-]{1,18}[a-z0-9]$/),
);

export const Region = sentenceCodec<string>(
  "Region",
  'an AWS region name such as "eu-west-2"',
  matching(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/),
);

export const AccountId = sentenceCodec<string>(
  "AccountId",
  "a 12-digit AWS account id, written as a string",
  matching(/^\d{12}$/),
);

export const BucketName = sentenceCodec<string>(
  "BucketName",
  "an S3 bucket name: 3 to 63 lowercase letters, digits, dots or hyphens",
  matching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
);

export const KeyPrefix = sentenceCodec<string>(
  "KeyPrefix",
  'an S3 key prefix without leading or trailing slashes, such as "customizer"',
  matching(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/),
);

export const FilePath = sentenceCodec<string>(
  "FilePath",
  "a file path (relative ones start from the project folder)",
  matching(/^[^\0]+$/),
);

export const Email = sentenceCodec<string>(
  "Email",
  "an email address",
  matching(/^[^\s@]+@[^\s@]+\.[^\s@]+$/),
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

export const SshPublicKey = sentenceCodec<string>(
  "SshPublicKey",
  'an OpenSSH public key on one line, such as "ssh-ed25519 AAAA… alice@laptop"',
  (input) => (typeof input === "string" && isValidSshPublicKey(input) ? input : undefined),
);

export const IamUserName = sentenceCodec<string>(
  "IamUserName",
  "an IAM user name: 1 to 64 letters, digits or + = , . @ _ -",
  matching(/^[A-Za-z0-9+=,.@_-]{1,64}$/),
);

/** CloudWatch Logs accepts only these retention periods, in days. */
export const LOG_RETENTION_DAYS = [
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

export const WholeDays = new t.Type<number, number, unknown>(
  "Days",
  (u): u is number => Number.isInteger(u) && (u as number) >= 1,
  (u, c) =>
    Number.isInteger(u) && (u as number) >= 1 && (u as number) <= 3650
      ? t.success(u as number)
      : t.failure(u, c, "must be a whole number of days from 1 to 3650"),
  (a) => a,
);
