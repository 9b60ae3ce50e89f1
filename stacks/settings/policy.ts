import type { DeploymentPolicy, UserPolicy } from "../../functions/shared/deployment-policy.js";
import type { UserId } from "../../functions/shared/identifiers.js";
import { namesFor } from "./names.js";
import type { Settings } from "./settings-shape.js";

/**
 * The deployment policy the Lambdas read from S3, built from the settings.
 * Pure, so the CLI renders the same requests offline as the Lambdas will.
 * The admin's `accessNetwork` becomes the default of the template's
 * `AccessNetwork` parameter, which a cluster config may not override.
 * The result is checked with `decodePolicy` by whoever uses it.
 */
export function policyFromSettings(settings: Settings): DeploymentPolicy {
  const users: Record<UserId, UserPolicy> = {};
  for (const user of settings.users) {
    // The login is always recorded, so the Lambdas never have to derive it.
    const entry: { -readonly [K in keyof UserPolicy]: UserPolicy[K] } = { login: user.login };
    if (user.email !== undefined) entry.email = user.email;
    if (user.defaults !== undefined) entry.defaults = { ...user.defaults };
    if (user.limits !== undefined) entry.limits = user.limits;
    users[user.id] = entry;
  }
  return {
    stackPrefix: settings.stackPrefix,
    customizer: { bucket: namesFor(settings).customizerBucket, prefix: settings.customizer.prefix },
    defaults: { ...settings.defaults, AccessNetwork: settings.accessNetwork },
    limits: settings.limits,
    users,
    tags: { ...settings.tags },
  };
}
