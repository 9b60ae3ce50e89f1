import { isUserId } from "../functions/shared/identifiers.js";
import {
  ClusterTemplateError,
  loadClusterTemplate,
} from "../stacks/deployment/cluster-template.js";
import { policyFromSettings } from "../stacks/settings/policy.js";
import { loadSettings, SettingsError } from "../stacks/settings/settings.js";
import { CliError } from "./cli-error.js";
import { ANYONE, type ConfigRules } from "./config-check.js";

/**
 * The rules of the deployment a settings file describes: its cluster
 * template, its defaults, and its limits for `user` (the deployment's own
 * when no user is named, or one the settings do not list). What cf-create
 * would check a config against, from the same file `npm run deploy` reads.
 */
export function rulesFromSettings(path: string, user: string | undefined): ConfigRules {
  try {
    const settings = loadSettings(path);
    const template = loadClusterTemplate(settings.template).template;
    const policy = policyFromSettings(settings);
    const listed = user !== undefined && settings.users.some((u) => u.id === user);
    const whose = listed ? `${user}'s limits` : "the deployment's limits (pass --user for yours)";
    return {
      template,
      policy,
      user: user !== undefined && isUserId(user) ? user : ANYONE,
      source: `${settings.template} with the defaults and ${whose} in ${path}`,
    };
  } catch (error) {
    if (error instanceof SettingsError || error instanceof ClusterTemplateError)
      throw new CliError(error.message);
    throw error;
  }
}
