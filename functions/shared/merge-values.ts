import type { ClusterConfig } from "./cluster-config.js";
import {
  checkParameterValue,
  type CfnTemplate,
  type ParameterDeclaration,
} from "./cfn-template.js";
import type { ClusterConfigField, SystemParameter } from "./config-fields.js";
import { homeParameterNames, networkParameterNames } from "./deployment-parameters.js";
import { limitsFor, loginFor, uidFor, type DeploymentPolicy } from "./deployment-policy.js";
import type { ClusterName, UserId } from "./identifiers.js";
import { loginProblem } from "./login-name.js";
import { onDemandAllowed } from "./policy-limits.js";
import { userHomePrefix } from "./result-files.js";

/*
 * The parameter values a merge sends, where each came from, and the checks
 * against the template's declarations. Only parameters the template declares
 * get a value.
 */

/** The template's parameter declarations, by name. */
export type Declarations = ReadonlyMap<string, ParameterDeclaration>;

/** Where a value came from: a deployment default, the user's config, or FlightDeck itself. */
export type ValueSource = "default" | "config" | "system";

/** The values the merge has set so far, by parameter. */
export type Values = Map<string, { readonly value: string; readonly source: ValueSource }>;

/** A field's value in effect: the merged one, else the template's default. */
export type Effective = (key: ClusterConfigField) => string | undefined;

/** The template's parameter declarations, by name. */
export function declarationsOf(template: CfnTemplate): Declarations {
  return new Map(Object.entries(template.Parameters ?? {}));
}

/**
 * The deployment's defaults (the user's own included), then the user's
 * config over them, for the parameters the template declares. A config key
 * the template does not declare is refused; a default for one is skipped.
 */
export function requestedValues(
  declared: Declarations,
  defaults: Readonly<Record<string, string>>,
  config: ClusterConfig,
): { values: Values; errors: string[] } {
  const values: Values = new Map();
  const errors: string[] = [];
  for (const [key, value] of Object.entries(defaults)) {
    if (declared.has(key)) values.set(key, { value, source: "default" });
  }
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    if (!declared.has(key)) {
      errors.push(
        `${key} is not available with this deployment's cluster template; remove it from the config.`,
      );
    } else {
      values.set(key, { value, source: "config" });
    }
  }
  return { values, errors };
}

/** The refusal of a login the cluster could not create, if the user's is one. */
export function loginErrors(policy: DeploymentPolicy, user: UserId): string[] {
  const problem = loginProblem(loginFor(policy, user));
  return problem === undefined
    ? []
    : [`Your cluster ${problem.replace(/\.$/, "")}; ask your administrator to set your login.`];
}

/**
 * The values FlightDeck sets for every stack. `AccessUsername` is the Linux
 * login on the cluster and `FlightProfiles` the customizer profile to run,
 * the user's folder (`<prefix>/<user id>/`): so the login comes from the
 * policy and the profile is the user id.
 */
export function systemValues(
  policy: DeploymentPolicy,
  user: UserId,
  cluster: ClusterName,
): Record<SystemParameter, string> {
  const network = networkParameterNames(policy.deployment);
  const home = homeParameterNames(policy.deployment, user);
  return {
    AccessUsername: loginFor(policy, user),
    AccessUid: uidFor(policy, user),
    FlightProfiles: user,
    ClusterName: cluster,
    CustomizerBucket: policy.customizer.bucket,
    CustomizerPrefix: policy.customizer.prefix,
    NodePermissionsBoundary: policy.nodePermissionsBoundary,
    FlightDeckBucket: policy.userBucket,
    UserHomePrefix: userHomePrefix(user),
    VpcId: network.vpcId,
    SubnetIds: network.subnetIds,
    HomeFileSystem: home.fileSystemId,
    HomeSecurityGroup: home.clientSecurityGroupId,
    ComputeOnDemandAllowed: String(onDemandAllowed(limitsFor(policy, user))),
  };
}

/** Sets the system values the template declares, over any other. */
export function setSystemValues(
  values: Values,
  declared: Declarations,
  system: Readonly<Record<SystemParameter, string>>,
): void {
  for (const [key, value] of Object.entries(system)) {
    if (declared.has(key)) values.set(key, { value, source: "system" });
  }
}

/** Reads a field's value in effect, as `values` holds it when called. */
export function effectiveValue(declared: Declarations, values: Values): Effective {
  return (key) => {
    const value = values.get(key)?.value ?? declared.get(key)?.Default;
    return value === undefined ? undefined : String(value);
  };
}

/**
 * Each value checked against its declaration's constraints (a deployment
 * default's problems say so), and each declared parameter without a value
 * or a template default refused.
 */
export function declarationErrors(declared: Declarations, values: Values): string[] {
  const errors: string[] = [];
  for (const [key, declaration] of declared) {
    const entry = values.get(key);
    if (entry === undefined) {
      if (declaration.Default === undefined) {
        errors.push(
          `${key} has no default in the cluster template and must be set by the deployment or the config.`,
        );
      }
      continue;
    }
    const problems = checkParameterValue(key, declaration, entry.value);
    errors.push(
      ...(entry.source === "default" ? problems.map((p) => `Deployment default: ${p}`) : problems),
    );
  }
  return errors;
}
