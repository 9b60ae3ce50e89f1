import type { CfnTemplate } from "./cfn-template.js";
import type { ClusterConfig } from "./cluster-config.js";
import { COMPUTE_TYPES_PARAMETER, settleComputeTypes } from "./compute-types.js";
import { instanceVcpus, type InstanceEntry } from "./instance-table.js";
import type { Declarations, Effective, Values } from "./merge-values.js";
import { isAllowedType, type Limits } from "./policy-limits.js";

/*
 * The merge's capacity rules: which types the compute group launches, how
 * long spot must fail before its nodes go on-demand, and how many vCPUs the
 * cluster may run against the user's limit.
 */

/** The compute group's types, and whether the user (or a deployment default) listed them. */
export interface ComputeTypes {
  readonly entries: readonly InstanceEntry[];
  readonly listed: boolean;
}

/**
 * The compute group's types, settled once when the template declares
 * `ComputeInstanceTypes`: listed by the user, or the defaults for their
 * compute type. They are set in `values` as labels, which the nodes size by;
 * when they are refused, the value is dropped, as the refusals already say
 * what the template's pattern would only repeat.
 */
export function settleComputeGroup(input: {
  readonly values: Values;
  readonly declared: Declarations;
  readonly effective: Effective;
  readonly template: CfnTemplate;
  readonly config: ClusterConfig;
  readonly limits: Limits;
}): { computeTypes: ComputeTypes; errors: readonly string[] } {
  const { values, effective, config, limits } = input;
  const none = { entries: [], listed: false };
  if (!input.declared.has(COMPUTE_TYPES_PARAMETER)) return { computeTypes: none, errors: [] };
  const listed = values.get(COMPUTE_TYPES_PARAMETER);
  const settled = settleComputeTypes({
    template: input.template,
    listed: listed?.value,
    choice: effective("ComputeInstanceType"),
    other: effective("ComputeInstanceTypeOther"),
    choiceFromConfig:
      config.ComputeInstanceType !== undefined || config.ComputeInstanceTypeOther !== undefined,
    allowed: (type) => isAllowedType(limits, type),
  });
  if (!settled.ok) {
    values.delete(COMPUTE_TYPES_PARAMETER);
    return { computeTypes: none, errors: settled.errors };
  }
  if (settled.entries.length > 0) {
    const value = settled.entries.map((entry) => entry.label).join(",");
    values.set(COMPUTE_TYPES_PARAMETER, { value, source: listed?.source ?? "default" });
  }
  const computeTypes = {
    entries: settled.entries,
    listed: listed !== undefined && listed.value !== "",
  };
  return { computeTypes, errors: [] };
}

/**
 * A cluster that does not choose SpotFallbackMinutes (no config or
 * deployment default sets it) waits at least the admin's minimum: the
 * template's default is raised to it, rather than refused.
 */
export function raiseSpotFallbackToMinimum(
  values: Values,
  declared: Declarations,
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

/** A cluster's most vCPUs: each role's per-instance count, and the total when both are known. */
export interface Footprint {
  readonly master: number | undefined;
  readonly compute: number | undefined;
  readonly maxNodes: number;
  readonly total: number | undefined;
}

/** The compute nodes count as the largest type of their group: any of them may launch. */
export function clusterFootprint(
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

/** The refusal of a footprint above the user's `maxVcpus`, or of one that cannot be told. */
export function vcpuErrors(footprint: Footprint, limits: Limits): string[] {
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
