import type { DeploymentPolicy, UserPolicy } from "../../functions/shared/deployment-policy.js";
import type { UserId } from "../../functions/shared/identifiers.js";
import { NODE_IAM_PATH } from "../../functions/shared/template-contract.js";
import { arnScope, iamArn } from "../iam/arns.js";
import { budgetsOf } from "./budget-settings.js";
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
  // Built from entries, never by assignment: `users["__proto__"] = …` would
  // set the object's prototype, and that user's limits would silently vanish.
  const users: Record<UserId, UserPolicy> = Object.fromEntries(
    settings.users.map((user) => {
      // The login and UID are always recorded, so the Lambdas never have to derive them.
      const entry: { -readonly [K in keyof UserPolicy]: UserPolicy[K] } = {
        login: user.login,
        uid: user.uid,
      };
      if (user.email !== undefined) entry.email = user.email;
      if (user.defaults !== undefined) entry.defaults = { ...user.defaults };
      if (user.limits !== undefined) entry.limits = user.limits;
      return [user.id, entry];
    }),
  );
  return {
    deployment: settings.name,
    userBucket: namesFor(settings).userBucket,
    nodePermissionsBoundary: iamArn(
      arnScope(settings),
      `policy${NODE_IAM_PATH}${namesFor(settings).nodeBoundary}`,
    ),
    stackPrefix: settings.stackPrefix,
    customizer: { bucket: namesFor(settings).customizerBucket, prefix: settings.customizer.prefix },
    defaults: { ...settings.defaults, AccessNetwork: settings.accessNetwork },
    limits: settings.limits,
    users,
    tags: { ...settings.tags },
    ...budgetsOf(settings),
  };
}
