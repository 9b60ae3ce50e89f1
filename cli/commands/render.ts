import { isLeft } from "fp-ts/lib/Either.js";
import { createStackRequest } from "../../functions/shared/create-stack-request.js";
import type { ClusterConfig } from "../../functions/shared/cluster-config.js";
import { loginFor, type DeploymentPolicy } from "../../functions/shared/deployment-policy.js";
import {
  isClusterName,
  isUserId,
  type ClusterName,
  type UserId,
} from "../../functions/shared/identifiers.js";
import { templateUrlFor } from "../../functions/shared/template-url.js";
import { mergeTemplate, type CreateStackPlan } from "../../functions/shared/template-merge.js";
import { documentKeys } from "../../stacks/deployment/document-keys.js";
import {
  ClusterTemplateError,
  loadClusterTemplate,
  type ClusterTemplateFile,
} from "../../stacks/deployment/cluster-template.js";
import { arnScope, iamArn } from "../../stacks/iam/arns.js";
import { namesFor } from "../../stacks/settings/names.js";
import { policyFromSettings } from "../../stacks/settings/policy.js";
import type { Settings } from "../../stacks/settings/settings-shape.js";
import { loadSettings, SettingsError, settingsPath } from "../../stacks/settings/settings.js";
import type { CliContext } from "../cli-context.js";
import { CliError } from "../cli-error.js";
import { EXIT } from "../output.js";
import { priceOf, readConfig } from "./validate.js";

export interface RenderOptions {
  readonly settings?: string | undefined;
  readonly config?: string | undefined;
  /** The S3 version id of the upload, which the request token is derived from. */
  readonly requestId?: string | undefined;
}

/** What a render works from, once the deployment's files and the user's config are read. */
interface Rendering {
  /** The settings file. */
  readonly path: string;
  readonly settings: Settings;
  readonly templateFile: ClusterTemplateFile;
  readonly policy: DeploymentPolicy;
  readonly user: UserId;
  readonly cluster: ClusterName;
  readonly config: ClusterConfig;
  readonly requestId: string | undefined;
}

/**
 * `flightdeck render`: the exact CreateStack request cf-create would send for
 * a user's config under a settings file, or every reason it would refuse,
 * with no AWS call at all. The same codec, policy and merge run here as in
 * the Lambda, so an admin can try a template or a limit change first.
 */
export async function renderCommand(
  ctx: CliContext,
  cluster: string,
  options: RenderOptions,
): Promise<number> {
  const user = ctx.options.user;
  if (user === undefined || !isUserId(user))
    throw new CliError("render needs --user <id>: whose cluster to render.", EXIT.usage);
  if (!isClusterName(cluster))
    throw new CliError(`${JSON.stringify(cluster)} is not a valid cluster name.`, EXIT.usage);

  const path = settingsPath(options.settings, ctx.io.env);
  const { settings, templateFile } = loadDeployment(path);
  const { config, errors: configErrors } = await readConfig(options.config);
  const policy = policyFromSettings(settings);
  const problems = [...configErrors];
  if (!settings.users.some((u) => u.id === user)) {
    problems.push(
      `User ${user} is not provisioned for FlightDeck: ask your administrator to add you to the deployment's users.`,
    );
  }
  if (configErrors.length === 0) {
    const plan = mergeTemplate({
      template: templateFile.template,
      policy,
      user,
      cluster,
      config,
      requestId: options.requestId ?? "render",
    });
    if (isLeft(plan)) problems.push(...plan.left);
    else if (problems.length === 0) {
      const { requestId } = options;
      const rendering = { path, settings, templateFile, policy, user, cluster, config, requestId };
      await printRequest(ctx, plan.right, rendering);
      return EXIT.ok;
    }
  }
  if (ctx.out.json) ctx.out.data({ valid: false, errors: problems });
  ctx.out.error(`cf-create would refuse ${user}'s cluster ${cluster}:`);
  for (const problem of problems) ctx.io.stderr.write(`  - ${problem}\n`);
  return EXIT.failed;
}

/** The settings file and the cluster template it names; a readable error when either is bad. */
function loadDeployment(path: string): { settings: Settings; templateFile: ClusterTemplateFile } {
  try {
    const settings = loadSettings(path);
    return { settings, templateFile: loadClusterTemplate(settings.template) };
  } catch (error) {
    if (error instanceof SettingsError || error instanceof ClusterTemplateError)
      throw new CliError(error.message);
    throw error;
  }
}

/** Prints the CreateStack request for an accepted plan, then its price and what to note about it. */
async function printRequest(
  ctx: CliContext,
  plan: CreateStackPlan,
  { path, settings, templateFile, policy, user, cluster, config, requestId }: Rendering,
): Promise<void> {
  const names = namesFor(settings);
  const keys = documentKeys(templateFile.sha256, JSON.stringify(policy));
  const request = createStackRequest(
    plan,
    templateUrlFor(names.customizerBucket, keys.template, settings.region),
    iamArn(arnScope(settings), `role/${names.serviceRole}`),
  );
  ctx.out.data(request);
  const rules = { template: templateFile.template, policy, user, source: path };
  const price = await priceOf(ctx, config, rules, undefined, cluster);
  if (price !== undefined) ctx.out.note(`Price: ${price.text}`);
  const login = loginFor(policy, user);
  ctx.out.note(`Note: ${user} logs in to this cluster as ${login} (ssh ${login}@<login IP>).`);
  if (settings.accountId === undefined) {
    ctx.out.note("Note: the settings name no accountId, so the RoleARN's account is shown as *.");
  }
  if (requestId === undefined) {
    ctx.out.note(
      "Note: cf-create derives ClientRequestToken from the upload's S3 version id; pass --request-id to match one.",
    );
  }
}
