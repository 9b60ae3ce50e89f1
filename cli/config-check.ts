import { isLeft, type Either } from "fp-ts/lib/Either.js";
import { decodeTemplate, type CfnTemplate } from "../functions/shared/cfn-template.js";
import type { ClusterConfig } from "../functions/shared/cluster-config.js";
import { decodePolicy, type DeploymentPolicy } from "../functions/shared/deployment-policy.js";
import type { ClusterName, UserId } from "../functions/shared/identifiers.js";
import { mergeTemplate, type CreateStackPlan } from "../functions/shared/template-merge.js";
import shippedTemplateJson from "../template/cluster.json" with { type: "json" };
import { CliError } from "./cli-error.js";

/*
 * A config is only valid if cf-create would take it: the codec is the start,
 * and the template's own constraints (allowed presets and instance labels,
 * patterns, bounds) and the merge's rules (node counts with defaults in) are
 * the rest. So the CLI runs the very merge cf-create runs. Users cannot read
 * the deployment's published template and policy (they are in the customizer
 * bucket, which user access leaves out), so by default the merge runs against
 * the template this CLI was built with and a policy that limits nothing; an
 * administrator's `--settings` gives the deployment's own.
 */

/** What a config is checked against: a template, a policy, and whose limits apply. */
export interface ConfigRules {
  readonly template: CfnTemplate;
  readonly policy: DeploymentPolicy;
  /** Whose limits apply; a user the policy does not name has the deployment's. */
  readonly user: UserId;
  /** Where the rules come from, in words. */
  readonly source: string;
}

/** The user the checks run as when none is named: not a user id IAM would refuse, and in no policy. */
export const ANYONE = "flightdeck-validate" as UserId;
const CLUSTER = "validate" as ClusterName;

/**
 * The loosest deployment there can be: no defaults and no limits, and idle
 * deletion may be turned off (an admin's opt-in), so nothing any deployment
 * could accept is refused. Its names only have to be well formed.
 */
const PERMISSIVE_POLICY = {
  deployment: "validate",
  userBucket: "flightdeck-users",
  nodePermissionsBoundary: "arn:aws:iam::*:policy/flightdeck-node-boundary",
  stackPrefix: "fd",
  customizer: { bucket: "flightdeck-customizer", prefix: "customizer" },
  defaults: {},
  limits: { allowNeverIdleDelete: "true" },
  users: {},
  tags: {},
};

let shipped: ConfigRules | undefined;

/** The template this CLI was built with (template/cluster.json), under a policy that limits nothing. */
export function shippedRules(): ConfigRules {
  if (shipped !== undefined) return shipped;
  const template = decodeTemplate(shippedTemplateJson);
  const policy = decodePolicy(PERMISSIVE_POLICY);
  if (isLeft(template) || isLeft(policy)) {
    const problems = [
      ...(isLeft(template) ? template.left : []),
      ...(isLeft(policy) ? policy.left : []),
    ];
    throw new CliError(
      `This flightdeck's own cluster template cannot be used: ${problems.join(" ")} Rebuild it: npm run build.`,
    );
  }
  shipped = {
    template: template.right,
    policy: policy.right,
    user: ANYONE,
    source:
      "the cluster template this flightdeck was built with (template/cluster.json); your administrator's limits apply on top",
  };
  return shipped;
}

/** Every reason the merge refuses `config` under `rules`, as cf-create would give them; none when it takes it. */
export function configProblems(
  config: ClusterConfig,
  rules: ConfigRules,
  cluster: ClusterName = CLUSTER,
): string[] {
  const plan = configPlan(config, rules, cluster);
  return isLeft(plan) ? plan.left : [];
}

/** The merge cf-create runs, under `rules`: the CreateStack plan, or every reason it refuses. */
export function configPlan(
  config: ClusterConfig,
  rules: ConfigRules,
  cluster: ClusterName = CLUSTER,
): Either<string[], CreateStackPlan> {
  return mergeTemplate({
    template: rules.template,
    policy: rules.policy,
    user: rules.user,
    cluster,
    config,
    requestId: "validate",
  });
}
