import type { ClusterSlot } from "./cluster-registry.js";
import { limitsFor, type DeploymentPolicy } from "./deployment-policy.js";
import type { UserId } from "./identifiers.js";

/*
 * How long a cluster may live, decided by the control plane alone: a user has
 * sudo on their own cluster, so nothing the cluster does can be trusted to end
 * it. The expiry is kept in the cluster registry (set when the slot is taken,
 * moved by `.cf-extend`), and the scheduled sweep deletes what is past it.
 * This module holds the pure decisions; runtime/lifetime-sweep.ts acts on them.
 */

const HOUR_MS = 3600 * 1000;

/** The longest a cluster may live when the admin sets no `maxLifetimeHours`: one week. */
export const DEFAULT_MAX_LIFETIME_HOURS = 168;
/** What a `.cf-extend` without `hours` asks for when the admin sets no `extendHours`. */
export const DEFAULT_EXTEND_HOURS = 24;
/** How long before its expiry the owner is warned. */
const EXPIRY_WARNING_MS = HOUR_MS;
/** How often the lifetime sweep runs: the schedule's `rate(15 minutes)`. */
export const SWEEP_INTERVAL_MINUTES = 15;

/**
 * The sweep window a moment falls in. An expired cluster's delete is asked
 * once per window: a sweep delivered twice in one window asks with the same
 * token, which CloudFormation takes for the same request; the next window
 * asks anew, so a delete that ended DELETE_FAILED is tried again.
 */
export function sweepWindowOf(nowMs: number): string {
  return `window-${Math.floor(nowMs / (SWEEP_INTERVAL_MINUTES * 60_000))}`;
}

/** A user's lifetime rules, in hours. */
export interface LifetimePolicy {
  /** A new cluster's lifetime: never more than the maximum. */
  readonly lifetimeHours: number;
  /** The longest a cluster may live from its creation, extensions included. */
  readonly maxLifetimeHours: number;
  /** What an extension without `hours` asks for. */
  readonly extendHours: number;
}

/** The lifetime rules for `user`: the deployment's limits with the user's overrides on top. */
export function lifetimeFor(policy: DeploymentPolicy, user: UserId): LifetimePolicy {
  const limits = limitsFor(policy, user);
  const max = Number(limits.maxLifetimeHours ?? DEFAULT_MAX_LIFETIME_HOURS);
  return {
    maxLifetimeHours: max,
    lifetimeHours: Math.min(Number(limits.lifetimeHours ?? max), max),
    extendHours: Number(limits.extendHours ?? DEFAULT_EXTEND_HOURS),
  };
}

/** When a cluster created at `createdAtMs` first expires. */
export function initialExpiry(createdAtMs: number, lifetime: LifetimePolicy): number {
  return createdAtMs + lifetime.lifetimeHours * HOUR_MS;
}

/**
 * When a slot's cluster expires: the expiry kept with it, or (for a slot
 * taken before expiries were kept) its creation plus the lifetime.
 */
export function expiryOf(slot: ClusterSlot, lifetime: LifetimePolicy): number {
  return slot.expiresAt ?? initialExpiry(slot.acquiredAt, lifetime);
}

/** The latest a slot's cluster may live to. */
export function latestExpiryOf(slot: ClusterSlot, lifetime: LifetimePolicy): number {
  return slot.acquiredAt + lifetime.maxLifetimeHours * HOUR_MS;
}

/** What the sweep does with one cluster. */
export type SweepAction =
  | { readonly kind: "expire"; readonly expiresAt: number; readonly lifetimeHours: number }
  | { readonly kind: "warn"; readonly expiresAt: number }
  | { readonly kind: "none" };

/**
 * What the sweep does with a slot at `nowMs`: delete its cluster once past
 * its expiry; warn its owner once in the hour before (once per expiry, so an
 * extended cluster is warned again before its new one); otherwise nothing.
 *
 * @example
 * sweepActionFor({ acquiredAt: 0, expiresAt: 2 * 3600e3, vcpus: 4, token: "t" }, lifetime, 1.5 * 3600e3)
 * // => { kind: "warn", expiresAt: 7200000 }
 */
export function sweepActionFor(
  slot: ClusterSlot,
  lifetime: LifetimePolicy,
  nowMs: number,
): SweepAction {
  const expiresAt = expiryOf(slot, lifetime);
  if (nowMs >= expiresAt) {
    return {
      kind: "expire",
      expiresAt,
      lifetimeHours: Math.round((expiresAt - slot.acquiredAt) / HOUR_MS),
    };
  }
  if (nowMs >= expiresAt - EXPIRY_WARNING_MS && slot.warnedFor !== expiresAt) {
    return { kind: "warn", expiresAt };
  }
  return { kind: "none" };
}

/** What an extension request gets. */
export type ExtensionDecision =
  | { readonly granted: true; readonly expiresAt: number; readonly latestExpiry: number }
  | {
      readonly granted: false;
      readonly expiresAt: number;
      readonly latestExpiry: number;
      readonly reason: string;
    };

const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? "" : "s"}`;

/**
 * A moment (ms since the epoch) in ISO 8601 UTC, to the second, computed
 * without `Date` (the core has no clock): Howard Hinnant's civil-from-days.
 *
 * @example
 * isoTime(0) // => "1970-01-01T00:00:00Z"
 */
export function isoTime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86400);
  const rest = seconds - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const two = (n: number) => String(n).padStart(2, "0");
  const clock = [Math.floor(rest / 3600), Math.floor((rest % 3600) / 60), rest % 60].map(two);
  return `${year}-${two(month)}-${two(day)}T${clock.join(":")}Z`;
}

/** A moment as users read it: ISO 8601 in UTC, to the minute. */
export function expiryText(ms: number): string {
  return `${isoTime(ms).slice(0, 16)}Z`;
}

/**
 * Decides a request for `hours` more: counted from the current expiry (or
 * from now, should the sweep not have run yet), granted when it stays within
 * the maximum lifetime and refused beyond it, naming the limit and what is
 * still possible.
 */
export function decideExtension(
  slot: ClusterSlot,
  lifetime: LifetimePolicy,
  hours: number,
  nowMs: number,
): ExtensionDecision {
  const current = expiryOf(slot, lifetime);
  const latestExpiry = latestExpiryOf(slot, lifetime);
  const wanted = Math.max(current, nowMs) + hours * HOUR_MS;
  if (wanted <= latestExpiry) return { granted: true, expiresAt: wanted, latestExpiry };
  const room = Math.floor((latestExpiry - Math.max(current, nowMs)) / HOUR_MS);
  return {
    granted: false,
    expiresAt: current,
    latestExpiry,
    reason:
      `Extending by ${plural(hours, "hour")} would pass your maximum cluster lifetime of ${plural(lifetime.maxLifetimeHours, "hour")} ` +
      `(it ends at ${expiryText(latestExpiry)}); ` +
      (room > 0
        ? `you can extend by at most ${plural(room, "hour")}.`
        : "the cluster cannot be extended further; copy your results out before it expires."),
  };
}

/** Why the sweep deleted a cluster, as `.cf-deleted` says it. */
export function expiredReason(lifetimeHours: number): string {
  return `it reached its maximum lifetime of ${plural(lifetimeHours, "hour")}`;
}
