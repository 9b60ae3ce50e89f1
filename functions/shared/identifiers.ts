import { sentenceCodec } from "./readable-errors.js";

/**
 * Branded identifiers. A value of one of these types has been validated, so
 * an unchecked string cannot reach an S3 key, a stack name or an AWS call.
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

export const USER_ID_PATTERN = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
export const CLUSTER_NAME_PATTERN = /^[a-zA-Z0-9][-a-zA-Z0-9]{0,39}$/;
export const STACK_PREFIX_PATTERN = /^[a-zA-Z][a-zA-Z0-9]{0,15}$/;

const matching = (pattern: RegExp) => (input: unknown) =>
  typeof input === "string" && pattern.test(input) ? input : undefined;

export const UserIdCodec = sentenceCodec<UserId>(
  "UserId",
  "an IAM user name: 1 to 64 letters, digits or + = , . @ _ -",
  matching(USER_ID_PATTERN),
);

export const StackPrefixCodec = sentenceCodec<StackPrefix>(
  "StackPrefix",
  "a stack prefix: a letter, then up to 15 letters or digits",
  matching(STACK_PREFIX_PATTERN),
);

export const isUserId = (value: string): value is UserId => USER_ID_PATTERN.test(value);
export const isClusterName = (value: string): value is ClusterName =>
  CLUSTER_NAME_PATTERN.test(value);
