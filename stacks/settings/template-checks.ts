import { isLeft } from "fp-ts/lib/Either.js";
import type { CfnTemplate } from "../../functions/shared/cfn-template.js";
import { RESERVED_PARAMETERS } from "../../functions/shared/config-fields.js";
import type { DeploymentPolicy } from "../../functions/shared/deployment-policy.js";
import type { ClusterName, UserId } from "../../functions/shared/identifiers.js";
import { mergeTemplate } from "../../functions/shared/template-merge.js";
import { loadClusterTemplate, type ClusterTemplateFile } from "../deployment/cluster-template.js";
import { policyFromSettings } from "./policy.js";
import type { Settings } from "./settings-shape.js";
import { loadSettings, SettingsError } from "./settings.js";

/*
 * The settings against the cluster template they name. A default is a value
 * a user leaves out, so each must name a parameter the template has (a
 * misspelt one would never be used), and a cluster config of `{}`, every
 * value a default, must be one cf-create accepts: a default above a limit,
 * or a limit the template's own default breaks (on-demand nodes under a
 * spot-only limit, say), would refuse every such cluster. The merge that
 * judges it is cf-create's own.
 */

const reserved: ReadonlySet<string> = new Set(RESERVED_PARAMETERS);
const CLUSTER = "settings-check" as ClusterName;
/** Whose `{}` stands for a user with no limits or defaults of their own (the policy names no users then). */
const ANY_USER = "flightdeck-settings-check" as UserId;

/** Every key of `defaults` the template does not declare, refused with where it is. */
function undeclaredDefaults(
  where: string,
  defaults: Readonly<Record<string, string>> | undefined,
  template: CfnTemplate,
  templatePath: string,
): string[] {
  const declared = Object.keys(template.Parameters ?? {});
  const settable = declared.filter((key) => !reserved.has(key));
  return Object.keys(defaults ?? {})
    .filter((key) => !declared.includes(key))
    .map(
      (key) =>
        `${where}: ${JSON.stringify(key)} is not a parameter of the cluster template ${templatePath}, so it would never be used. Parameters a default may set: ${settable.join(", ")}.`,
    );
}

/** Why cf-create would refuse `{}` from `user` under `policy`; none when it accepts it. */
function emptyConfigProblems(
  policy: DeploymentPolicy,
  user: UserId,
  template: CfnTemplate,
): string[] {
  const plan = mergeTemplate({
    template,
    policy,
    user,
    cluster: CLUSTER,
    config: {},
    requestId: "settings-check",
  });
  return isLeft(plan) ? plan.left : [];
}

const EMPTY_CONFIG_FIX =
  'Set "defaults" or the limits so that a cluster with no settings of its own is accepted.';

/**
 * Every problem the settings have with `template` (read from `templatePath`):
 * defaults naming no parameter of it, and each reason a cluster config of
 * `{}` would be refused, for a user with no limits or defaults of their own
 * (as `defaults:`) and for each user whose own make it refused (as `users: <id>:`).
 */
export function templateProblems(
  settings: Settings,
  template: CfnTemplate,
  templatePath: string,
): string[] {
  const errors = undeclaredDefaults("defaults", settings.defaults, template, templatePath);
  for (const user of settings.users) {
    errors.push(
      ...undeclaredDefaults(`users: ${user.id}: defaults`, user.defaults, template, templatePath),
    );
  }
  if (errors.length > 0) return errors;

  const policy = policyFromSettings(settings);
  const everyone = emptyConfigProblems({ ...policy, users: {} }, ANY_USER, template);
  for (const problem of everyone) {
    errors.push(
      `defaults: a cluster config of {} would be refused: ${problem} ${EMPTY_CONFIG_FIX}`,
    );
  }
  for (const user of settings.users) {
    if (user.limits === undefined && user.defaults === undefined) continue;
    for (const problem of emptyConfigProblems(policy, user.id, template)) {
      if (everyone.includes(problem)) continue;
      errors.push(
        `users: ${user.id}: a cluster config of {} would be refused with ${user.id}'s own limits and defaults: ${problem} ${EMPTY_CONFIG_FIX}`,
      );
    }
  }
  return errors;
}

/** A deployment's settings and the cluster template they name, checked together. */
export interface CheckedSettings {
  readonly settings: Settings;
  readonly template: ClusterTemplateFile;
}

/**
 * {@link loadSettings}, then the template the settings name, then
 * {@link templateProblems}: what `npm run plan`, `deploy` and `destroy` read
 * before they synthesize. Throws a `SettingsError` naming every problem, or
 * the template's own `ClusterTemplateError`.
 */
export function loadCheckedSettings(path: string): CheckedSettings {
  const settings = loadSettings(path);
  const template = loadClusterTemplate(settings.template);
  const problems = templateProblems(settings, template.template, settings.template);
  if (problems.length > 0) throw new SettingsError(path, problems);
  return { settings, template };
}
