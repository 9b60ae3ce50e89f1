import fc from "fast-check";
import type { ClusterName, StackPrefix, UserId } from "../../functions/shared/identifiers.js";

const USER_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@_-";
const CLUSTER_FIRST = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const CLUSTER_REST = `${CLUSTER_FIRST}-`;

const charFrom = (alphabet: string) => fc.constantFrom(...alphabet.split(""));

/** Every valid user id (an IAM user name, not only dots), weighted towards the awkward characters and lengths. */
export const userIds: fc.Arbitrary<UserId> = fc
  .oneof(
    fc.string({ unit: charFrom(USER_CHARS), minLength: 1, maxLength: 64 }),
    fc.string({ unit: charFrom("0+=,.@_-aZ"), minLength: 1, maxLength: 64 }),
    fc.string({ unit: charFrom(USER_CHARS), minLength: 60, maxLength: 64 }),
  )
  .filter((s) => !/^\.+$/.test(s))
  .map((s) => s as UserId);

/** Every valid cluster name. */
export const clusterNames: fc.Arbitrary<ClusterName> = fc
  .tuple(charFrom(CLUSTER_FIRST), fc.string({ unit: charFrom(CLUSTER_REST), maxLength: 39 }))
  .map(([first, rest]) => (first + rest) as ClusterName);

/** Every valid stack prefix. */
export const stackPrefixes: fc.Arbitrary<StackPrefix> = fc
  .tuple(
    charFrom("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    fc.string({ unit: charFrom(CLUSTER_FIRST), maxLength: 15 }),
  )
  .map(([first, rest]) => (first + rest) as StackPrefix);
