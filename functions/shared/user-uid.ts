import type { UserId } from "./identifiers.js";
import { sentenceCodec } from "./readable-errors.js";

/*
 * A user's numeric Linux id (UID, and the GID of their own group) on every
 * cluster. Their home outlives clusters, so every file in it is owned by
 * this number: it must be the same on every node of every cluster, and it
 * may never change. The settings record it per user (an admin may set it,
 * to match an institution's directory), and the deployment policy carries
 * it to the merge, which passes it to the template as `AccessUid`.
 */

/** Below this, Ubuntu's own accounts live. */
export const MIN_UID = 1000;
/** The largest UID the kernel's signed interfaces all handle. */
export const MAX_UID = 2_147_483_647;
/** `nobody` (and `nogroup`): never a person's. */
const NOBODY_UID = 65_534;

/** Derived UIDs come from 100000–499999: clear of Ubuntu's automatic range and of systemd's container range (524288 and up). */
const DERIVED_BASE = 100_000;
const DERIVED_SPAN = 400_000;

/** What a UID may be, in the words the refusals use. */
export const UID_RULE = `a whole number from ${MIN_UID} to ${MAX_UID}, other than ${NOBODY_UID} (nobody)`;

/** A UID, as the settings and the policy write it: its decimal digits. */
export const UidCodec = sentenceCodec<string>("Uid", UID_RULE, (input) => {
  const text = typeof input === "number" ? String(input) : input;
  if (typeof text !== "string" || !/^[1-9]\d{3,9}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= MAX_UID && value !== NOBODY_UID ? text : undefined;
});

/**
 * The UID a user gets when the settings name none: the 32-bit FNV-1a hash of
 * their id, folded into 100000–499999. A function of the id alone, so adding,
 * removing or reordering other users never changes it, and neither does a
 * new login. Two ids can fold to one number; the settings refuse that, naming
 * both, and the admin gives the newer user a `uid`.
 *
 * @example
 * derivedUid("alice" as UserId) // => always the same number in 100000–499999
 */
export function derivedUid(user: UserId): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(user)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return DERIVED_BASE + (hash % DERIVED_SPAN);
}
