import { left, right, type Either } from "fp-ts/lib/Either.js";
import {
  nodeCountProblem,
  type ClusterConfig,
  type ClusterConfigField,
  type SystemParameter,
} from "./cluster-config.js";
import {
  capabilitiesFor,
  checkParameterValue,
  MAX_TEMPLATE_BODY_BYTES,
  type Capability,
  type CfnTemplate,
} from "./cfn-template.js";
import {
  defaultsFor,
  DEPLOYMENT_TAG,
  limitsFor,
  loginFor,
  MANAGED_BY,
  uidFor,
  onDemandAllowed,
  type DeploymentPolicy,
  type Limits,
} from "./deployment-policy.js";
import {
  COMPUTE_TYPES_PARAMETER,
  instanceVcpus,
  resolveInstanceType,
  settleComputeTypes,
  type InstanceEntry,
} from "./compute-types.js";
import { homeParameterNames, networkParameterNames } from "./deployment-parameters.js";
import type { ClusterName, UserId } from "./identifiers.js";
import { loginProblem } from "./login-name.js";
import { createTokenFor } from "./request-tokens.js";
import { userHomePrefix } from "./result-files.js";
import { stackNameFor, type StackName } from "./stack-name.js";

/** Everything a merge needs. Nothing here is mutated. */
export interface MergeInput {
  readonly template: CfnTemplate;
  readonly policy: DeploymentPolicy;
  readonly user: UserId;
  readonly cluster: ClusterName;
  readonly config: ClusterConfig;
  /** Tells one trigger upload from the next: the S3 version id or event sequencer. */
  readonly requestId: string;
}

/** How the template reaches CloudFormation. */
export type TemplateReference =
  | { readonly kind: "body"; readonly body: string; readonly bytes: number }
  | { readonly kind: "url-required"; readonly bytes: number };

/** The merged request: all of `CreateStack` except the template URL and service role, which are the shell's. */
export interface CreateStackPlan {
  readonly stackName: StackName;
  readonly parameters: ReadonlyArray<{
    readonly ParameterKey: string;
    readonly ParameterValue: string;
  }>;
  readonly tags: ReadonlyArray<{ readonly Key: string; readonly Value: string }>;
  readonly capabilities: readonly Capability[];
  readonly clientRequestToken: string;
  readonly template: TemplateReference;
  /**
   * The most vCPUs the cluster may run: the master plus ComputeMaxNodes ×
   * the largest compute type's. Its weight in the user's `maxVcpus`; 0 when
   * the instance types' sizes are unknown and no vCPU limit applies.
   */
  readonly vcpus: number;
}

type Values = Map<
  string,
  { readonly value: string; readonly source: "default" | "config" | "system" }
>;

/**
 * Merges a user's config into the template under the deployment policy.
 *
 * Precedence: template `Default` < deployment defaults (the user's own
 * overrides included) < the user's config < system-forced values
 * (`AccessUsername`, `AccessUid`, `FlightProfiles`, `ClusterName`, the customizer
 * location, and the SSM parameter names of the shared network and the user's home).
 * As in Alces Flight templates, `AccessUsername` is the Linux login on the
 * cluster and `FlightProfiles` the customizer profile to run: the user's
 * folder, `<prefix>/<user id>/`. So the login comes from the policy (the
 * settings' `login`, or the one derived from the id) and the folder is the id.
 * Only parameters the template declares are sent, and template defaults are
 * left to CloudFormation. Every value is checked against the template's
 * constraints and the admin's limits; all problems are returned at once.
 *
 * @example
 * mergeTemplate({ template, policy, user: "alice", cluster: "c1", requestId: "v1",
 *                 config: { ComputeMaxNodes: "25" } })
 * // => right({ stackName: "fd-alice-c1",
 * //            parameters: [{ ParameterKey: "AccessUsername", ParameterValue: "alice" }, // the login
 * //                         { ParameterKey: "ComputeMaxNodes", ParameterValue: "25" }, …],
 * //            tags: [{ Key: "USER", Value: "alice" }, …], … })
 */
export function mergeTemplate(input: MergeInput): Either<string[], CreateStackPlan> {
  const { template, policy, user, cluster, config } = input;
  const declared = new Map(Object.entries(template.Parameters ?? {}));
  const errors: string[] = [];
  const values: Values = new Map();

  for (const [key, value] of Object.entries(defaultsFor(policy, user))) {
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
  const login = loginFor(policy, user);
  const badLogin = loginProblem(login);
  if (badLogin !== undefined) {
    errors.push(
      `Your cluster ${badLogin.replace(/\.$/, "")}; ask your administrator to set your login.`,
    );
  }
  const network = networkParameterNames(policy.deployment);
  const home = homeParameterNames(policy.deployment, user);
  const system: Record<SystemParameter, string> = {
    AccessUsername: login,
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
  for (const [key, value] of Object.entries(system)) {
    if (declared.has(key)) values.set(key, { value, source: "system" });
  }

  const limits = limitsFor(policy, user);
  const choiceValue = (key: ClusterConfigField) =>
    values.get(key)?.value ??
    (declared.get(key)?.Default === undefined ? undefined : String(declared.get(key)?.Default));
  // The compute group's types, settled once: listed by the user, or the
  // defaults for their compute type; sent as labels, which the nodes size by.
  let computeTypes: ComputeTypes = { entries: [], listed: false };
  if (declared.has(COMPUTE_TYPES_PARAMETER)) {
    const listed = values.get(COMPUTE_TYPES_PARAMETER);
    const settled = settleComputeTypes({
      template,
      listed: listed?.value,
      choice: choiceValue("ComputeInstanceType"),
      other: choiceValue("ComputeInstanceTypeOther"),
      choiceFromConfig:
        config.ComputeInstanceType !== undefined || config.ComputeInstanceTypeOther !== undefined,
      allowed: (type) => isAllowedType(limits, type),
    });
    if (settled.ok) {
      computeTypes = {
        entries: settled.entries,
        listed: listed !== undefined && listed.value !== "",
      };
      if (settled.entries.length > 0) {
        const value = settled.entries.map((entry) => entry.label).join(",");
        values.set(COMPUTE_TYPES_PARAMETER, { value, source: listed?.source ?? "default" });
      }
    } else {
      errors.push(...settled.errors);
      // Its problems are said; the template's pattern would only repeat them.
      values.delete(COMPUTE_TYPES_PARAMETER);
    }
  }
  raiseSpotFallbackToMinimum(values, declared, limits);

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

  const effective = (key: ClusterConfigField): string | undefined => {
    const declaration = declared.get(key);
    const value = values.get(key)?.value ?? declaration?.Default;
    return value === undefined ? undefined : String(value);
  };
  const nodeCounts = nodeCountProblem(
    effective("ComputeInitialNodes"),
    effective("ComputeMaxNodes"),
  );
  if (nodeCounts !== undefined) errors.push(nodeCounts);
  errors.push(...limitErrors(effective, limits, template, computeTypes));
  const footprint = clusterFootprint(effective, template, computeTypes);
  errors.push(...vcpuErrors(footprint, limits));

  if (errors.length > 0) return left([...new Set(errors)]);

  const stackName = stackNameFor(policy.stackPrefix, user, cluster);
  const body = JSON.stringify(template);
  const bytes = new TextEncoder().encode(body).byteLength;
  return right({
    stackName,
    parameters: [...values.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([ParameterKey, { value }]) => ({ ParameterKey, ParameterValue: value })),
    tags: tagsFor(policy, user, cluster),
    capabilities: capabilitiesFor(template),
    clientRequestToken: createTokenFor(stackName, input.requestId),
    template:
      bytes <= MAX_TEMPLATE_BODY_BYTES
        ? { kind: "body", body, bytes }
        : { kind: "url-required", bytes },
    vcpus: footprint.total ?? 0,
  });
}

/** The stack's tags: the deployment's, then FlightDeck's own, which always win. */
function tagsFor(
  policy: DeploymentPolicy,
  user: UserId,
  cluster: ClusterName,
): Array<{ Key: string; Value: string }> {
  const tags = new Map(Object.entries(policy.tags));
  tags.set("USER", user);
  tags.set("CLUSTER", cluster);
  tags.set("ManagedBy", MANAGED_BY);
  tags.set(DEPLOYMENT_TAG, policy.deployment);
  return [...tags.entries()].map(([Key, Value]) => ({ Key, Value }));
}

type Effective = (key: ClusterConfigField) => string | undefined;

/** The compute group's types, and whether the user (or a deployment default) listed them. */
interface ComputeTypes {
  readonly entries: readonly InstanceEntry[];
  readonly listed: boolean;
}

/** Whether the admin's `allowedInstanceTypes` (if any) accept `type`. */
function isAllowedType(limits: Limits, type: string): boolean {
  const allowed = limits.allowedInstanceTypes;
  return allowed === undefined || allowed.some((pattern) => globMatches(pattern, type));
}

/**
 * A cluster that does not choose SpotFallbackMinutes (no config or
 * deployment default sets it) waits at least the admin's minimum: the
 * template's default is raised to it, rather than refused.
 */
function raiseSpotFallbackToMinimum(
  values: Values,
  declared: ReadonlyMap<string, { readonly Default?: unknown }>,
  limits: Limits,
): void {
  const field = "SpotFallbackMinutes";
  const minimum = limits.minSpotFallbackMinutes;
  if (!declared.has(field) || values.has(field) || minimum === undefined) return;
  const fallback = Number(declared.get(field)?.Default ?? 0);
  if (fallback !== 0 && fallback < Number(minimum)) {
    values.set(field, { value: minimum, source: "default" });
  }
}

function limitErrors(
  effective: Effective,
  limits: Limits,
  template: CfnTemplate,
  computeTypes: ComputeTypes,
): string[] {
  const errors: string[] = [];
  const atMost = (field: ClusterConfigField, limit: string | undefined, unit = "") => {
    const value = effective(field);
    if (limit !== undefined && value !== undefined && Number(value) > Number(limit)) {
      errors.push(
        `${field} is ${value}${unit}, above your limit of ${limit}${unit}; ask your administrator to raise it.`,
      );
    }
  };
  atMost("ComputeMaxNodes", limits.maxComputeNodes);
  atMost("ComputeInitialNodes", limits.maxInitialNodes);
  atMost("ComputeSpotPrice", limits.maxSpotPrice, " USD/hour");
  atMost("MasterSystemVolumeSize", limits.maxMasterVolumeSize, " GiB");
  atMost("IdleDeleteMinutes", limits.maxIdleDeleteMinutes, " minutes");
  const fallback = effective("SpotFallbackMinutes");
  const minFallback = limits.minSpotFallbackMinutes;
  if (
    fallback !== undefined &&
    minFallback !== undefined &&
    Number(fallback) !== 0 &&
    Number(fallback) < Number(minFallback)
  ) {
    errors.push(
      `SpotFallbackMinutes is ${fallback} minutes, below your limit of ${minFallback}: spot must fail that long before your nodes launch on-demand; set at least ${minFallback}, or 0 for spot only.`,
    );
  }
  const idle = effective("IdleDeleteMinutes");
  if (idle !== undefined && Number(idle) === 0 && limits.allowNeverIdleDelete !== "true") {
    errors.push(
      `IdleDeleteMinutes is 0 (never delete the cluster when idle), which your administrator does not allow; set it to a number of minutes${limits.maxIdleDeleteMinutes === undefined ? "" : ` up to ${limits.maxIdleDeleteMinutes}`}.`,
    );
  }

  // "0" (in any spelling) is on-demand, and so is a template default of it.
  const spotPrice = effective("ComputeSpotPrice");
  if (spotPrice !== undefined && Number(spotPrice) === 0 && !onDemandAllowed(limits)) {
    const spot =
      limits.maxSpotPrice === undefined
        ? "a spot price"
        : `a spot price up to ${limits.maxSpotPrice} USD/hour`;
    errors.push(
      `ComputeSpotPrice is ${spotPrice}, which runs compute nodes on-demand, and your limits allow spot nodes only (allowOnDemand is false); set ComputeSpotPrice to ${spot}.`,
    );
  }

  const allowed = limits.allowedInstanceTypes;
  // Every type of the compute group must be allowed. Defaults were narrowed
  // to the allowed ones already, so only the user's own choice can fail here.
  const computeSettled = computeTypes.entries.length > 0;
  if (allowed !== undefined) {
    for (const { type } of computeTypes.entries) {
      if (isAllowedType(limits, type)) continue;
      const field = computeTypes.listed ? COMPUTE_TYPES_PARAMETER : "ComputeInstanceType";
      errors.push(
        `${field} selects ${type}, which is not among your allowed instance types (${allowed.join(", ")}).`,
      );
    }
    for (const role of computeSettled ? (["Master"] as const) : (["Compute", "Master"] as const)) {
      const choiceField = `${role}InstanceType` as const;
      const choice = effective(choiceField);
      if (choice === undefined) continue;
      const otherField = `${role}InstanceTypeOther` as const;
      const type = resolveInstanceType(template, choice, effective(otherField));
      const shownField = choice === "other" ? otherField : choiceField;
      if (type === undefined) {
        errors.push(
          `${shownField}: cannot tell which instance type ${JSON.stringify(choice === "other" ? effective(otherField) : choice)} is, so it cannot be checked against your allowed types.`,
        );
      } else if (!isAllowedType(limits, type)) {
        errors.push(
          `${shownField} selects ${type}, which is not among your allowed instance types (${allowed.join(", ")}).`,
        );
      }
    }
  }
  return errors;
}

/** A cluster's most vCPUs: each role's per-instance count, and the total when both are known. */
interface Footprint {
  readonly master: number | undefined;
  readonly compute: number | undefined;
  readonly maxNodes: number;
  readonly total: number | undefined;
}

/** The compute nodes count as the largest type of their group: any of them may launch. */
function clusterFootprint(
  effective: Effective,
  template: CfnTemplate,
  computeTypes: ComputeTypes,
): Footprint {
  const vcpusOf = (role: "Compute" | "Master") => {
    const choice = effective(`${role}InstanceType`);
    return choice === undefined
      ? undefined
      : instanceVcpus(template, choice, effective(`${role}InstanceTypeOther`));
  };
  const master = vcpusOf("Master");
  const { entries } = computeTypes;
  const compute =
    entries.length > 0 ? Math.max(...entries.map((e) => e.vcpus)) : vcpusOf("Compute");
  const maxNodes = Number(effective("ComputeMaxNodes") ?? 0);
  const total =
    master === undefined || compute === undefined ? undefined : master + maxNodes * compute;
  return { master, compute, maxNodes, total };
}

function vcpuErrors(footprint: Footprint, limits: Limits): string[] {
  if (limits.maxVcpus === undefined) return [];
  const { master, compute, maxNodes, total } = footprint;
  if (total === undefined) {
    const unknown = [
      master === undefined ? "the master's" : "",
      compute === undefined ? "the compute nodes'" : "",
    ]
      .filter((s) => s !== "")
      .join(" and ");
    return [
      `Cannot tell how many vCPUs ${unknown} instance type has, so the cluster cannot be checked against your limit of ${limits.maxVcpus} vCPUs; choose a preset or an instance label such as "r4.large-2C-15.25GB".`,
    ];
  }
  return total > Number(limits.maxVcpus)
    ? [
        `This cluster may use up to ${total} vCPUs (master ${master} + ComputeMaxNodes ${maxNodes} × ${compute}), above your limit of ${limits.maxVcpus} vCPUs across all your clusters; lower ComputeMaxNodes or choose a smaller instance type.`,
      ]
    : [];
}

/** Where the merge library's callers have long found them. */
export { instanceVcpus, resolveInstanceType };

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`).test(value);
}
