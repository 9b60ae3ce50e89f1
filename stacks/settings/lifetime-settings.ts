import { DEFAULT_MAX_LIFETIME_HOURS } from "../../functions/shared/cluster-lifetime.js";
import type { Limits } from "../../functions/shared/policy-limits.js";
import type { Settings } from "./settings-shape.js";

/*
 * A new cluster's lifetime never passes the longest any cluster may live.
 * The Lambdas would cut such a lifetime down to the maximum without a word
 * (cluster-lifetime.ts); the settings refuse it instead, so the admin learns
 * which of the two numbers they meant.
 */

/** Why `limits` give a new cluster a lifetime above the maximum, or `undefined` when they do not. */
function lifetimeProblem(limits: Limits): string | undefined {
  if (limits.lifetimeHours === undefined) return undefined;
  const lifetime = Number(limits.lifetimeHours);
  const max = Number(limits.maxLifetimeHours ?? DEFAULT_MAX_LIFETIME_HOURS);
  if (lifetime <= max) return undefined;
  const maximum =
    limits.maxLifetimeHours === undefined
      ? `the maximum lifetime of ${max} hours (FlightDeck's default; set maxLifetimeHours to change it)`
      : `maxLifetimeHours (${max})`;
  return `lifetimeHours (${lifetime}) is above ${maximum}: a new cluster may not live longer than any cluster may. Lower lifetimeHours or raise maxLifetimeHours.`;
}

/**
 * The deployment's lifetime limits, then each user's (the deployment's with
 * the user's own on top) where the user's own limits set either number.
 */
export function lifetimeErrors(settings: Settings): string[] {
  const errors: string[] = [];
  const deployment = lifetimeProblem(settings.limits);
  if (deployment !== undefined) errors.push(`limits: ${deployment}`);
  for (const user of settings.users) {
    const own = user.limits;
    if (own?.lifetimeHours === undefined && own?.maxLifetimeHours === undefined) continue;
    const problem = lifetimeProblem({ ...settings.limits, ...own });
    if (problem !== undefined) {
      errors.push(`users: ${user.id}: with ${user.id}'s own limits, ${problem}`);
    }
  }
  return errors;
}
