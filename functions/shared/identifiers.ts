import { patternCodec, sentenceCodec } from "./readable-errors.js";

/**
 * Branded identifiers. A value of one of these types has been validated, so
 * an unchecked string cannot reach an S3 key, a stack name or an AWS call.
 * Each has one pattern and one codec; the type guards are the codecs' own.
 */

declare const userIdBrand: unique symbol;
/** An IAM user name: 1–64 of `[A-Za-z0-9+=,.@_-]`. It is the user's S3 home folder. */
export type UserId = string & { readonly [userIdBrand]: true };

declare const clusterNameBrand: unique symbol;
/** A cluster name: `[a-zA-Z0-9][-a-zA-Z0-9]*`, at most 40 characters. */
export type ClusterName = string & { readonly [clusterNameBrand]: true };

declare const stackPrefixBrand: unique symbol;
/** The deployment's stack-name prefix: a letter, then up to 15 letters or digits. */
export type StackPrefix = string & { readonly [stackPrefixBrand]: true };

/** IAM's characters. A user id is also never only dots (see {@link UserIdCodec}). */
export const USER_ID_PATTERN = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
export const CLUSTER_NAME_PATTERN = /^[a-zA-Z0-9][-a-zA-Z0-9]{0,39}$/;
const STACK_PREFIX_PATTERN = /^[a-zA-Z][a-zA-Z0-9]{0,15}$/;

/** What a user name may hold, in the words the refusals use. */
export const USER_ID_RULE = "1 to 64 letters, digits or + = , . @ _ -, not only dots";
/** What a cluster name may hold, in the words the refusals use. */
export const CLUSTER_NAME_RULE =
  "a letter or digit, then letters, digits or hyphens, at most 40 characters";

/** Ids that are only dots would read as the `.` and `..` of a path; no user may have one. */
const ONLY_DOTS = /^\.+$/;

export const UserIdCodec = sentenceCodec<UserId>(
  "UserId",
  `an IAM user name: ${USER_ID_RULE}`,
  (input) =>
    typeof input === "string" && USER_ID_PATTERN.test(input) && !ONLY_DOTS.test(input)
      ? input
      : undefined,
);

export const ClusterNameCodec = patternCodec<ClusterName>(
  "ClusterName",
  CLUSTER_NAME_PATTERN,
  `a cluster name: ${CLUSTER_NAME_RULE}`,
);

export const StackPrefixCodec = patternCodec<StackPrefix>(
  "StackPrefix",
  STACK_PREFIX_PATTERN,
  "a stack prefix: a letter, then up to 15 letters or digits",
);

/** An email address, for notifications: one `@`, a dot in the domain, no spaces. */
export const EmailCodec = patternCodec("Email", /^[^\s@]+@[^\s@]+\.[^\s@]+$/, "an email address");

/**
 * The one id no FlightDeck user may have: `default` names the customizer
 * folder every cluster runs, so a user of that name would put their key and
 * sudo on all of them. Compared in lower case, as a person reads it. System
 * accounts (`root`, `slurm`, …) are refused as logins instead, where they
 * collide: see `RESERVED_LOGINS` in login-name.ts.
 */
const RESERVED_USER_ID = "default";

/** Whether `id` is the {@link RESERVED_USER_ID}, in any case. */
export const isReservedUserId = (id: string): boolean => id.toLowerCase() === RESERVED_USER_ID;

export const isUserId = (value: string): value is UserId => UserIdCodec.is(value);
export const isClusterName = (value: string): value is ClusterName => ClusterNameCodec.is(value);
