import type { CfnTemplate } from "./cfn-template.js";
import type { ClusterConfigField } from "./config-fields.js";
import { COMPUTE_TYPES_PARAMETER } from "./compute-types.js";
import { resolveInstanceType } from "./instance-table.js";
import type { ComputeTypes } from "./merge-capacity.js";
import type { Effective } from "./merge-values.js";
import { isAllowedType, onDemandAllowed, type Limits } from "./policy-limits.js";

/*
 * The admin's limits applied to the values in effect: each refusal says
 * which value breaks which limit, and what to do about it.
 */

/** Every limit the cluster's values in effect break, in a fixed order. */
export function limitErrors(
  effective: Effective,
  limits: Limits,
  template: CfnTemplate,
  computeTypes: ComputeTypes,
): string[] {
  return [
    ...ceilingErrors(effective, limits),
    ...spotFallbackErrors(effective, limits),
    ...idleDeleteErrors(effective, limits),
    ...onDemandErrors(effective, limits),
    ...instanceTypeErrors(effective, limits, template, computeTypes),
  ];
}

/** The numeric values above the user's limits. */
function ceilingErrors(effective: Effective, limits: Limits): string[] {
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
  return errors;
}

/** A SpotFallbackMinutes other than 0 (spot only) below the admin's minimum. */
function spotFallbackErrors(effective: Effective, limits: Limits): string[] {
  const fallback = effective("SpotFallbackMinutes");
  const minFallback = limits.minSpotFallbackMinutes;
  const below =
    fallback !== undefined &&
    minFallback !== undefined &&
    Number(fallback) !== 0 &&
    Number(fallback) < Number(minFallback);
  if (!below) return [];
  return [
    `SpotFallbackMinutes is ${fallback} minutes, below your limit of ${minFallback}: spot must fail that long before your nodes launch on-demand; set at least ${minFallback}, or 0 for spot only.`,
  ];
}

/** An IdleDeleteMinutes of 0 (never delete) where the admin does not allow it. */
function idleDeleteErrors(effective: Effective, limits: Limits): string[] {
  const idle = effective("IdleDeleteMinutes");
  if (idle === undefined || Number(idle) !== 0 || limits.allowNeverIdleDelete === "true") return [];
  const upTo =
    limits.maxIdleDeleteMinutes === undefined ? "" : ` up to ${limits.maxIdleDeleteMinutes}`;
  return [
    `IdleDeleteMinutes is 0 (never delete the cluster when idle), which your administrator does not allow; set it to a number of minutes${upTo}.`,
  ];
}

/** An on-demand spot price ("0" in any spelling, a template default included) where only spot is allowed. */
function onDemandErrors(effective: Effective, limits: Limits): string[] {
  const spotPrice = effective("ComputeSpotPrice");
  if (spotPrice === undefined || Number(spotPrice) !== 0 || onDemandAllowed(limits)) return [];
  const spot =
    limits.maxSpotPrice === undefined
      ? "a spot price"
      : `a spot price up to ${limits.maxSpotPrice} USD/hour`;
  return [
    `ComputeSpotPrice is ${spotPrice}, which runs compute nodes on-demand, and your limits allow spot nodes only (allowOnDemand is false); set ComputeSpotPrice to ${spot}.`,
  ];
}

/**
 * The instance types outside the admin's `allowedInstanceTypes`: every type
 * of the compute group (defaults were narrowed to the allowed ones already,
 * so only the user's own choice can fail), and the master's type; the
 * compute choice too when the group's types are not settled.
 */
function instanceTypeErrors(
  effective: Effective,
  limits: Limits,
  template: CfnTemplate,
  computeTypes: ComputeTypes,
): string[] {
  const allowed = limits.allowedInstanceTypes;
  if (allowed === undefined) return [];
  const notAllowed = (field: string, type: string) =>
    `${field} selects ${type}, which is not among your allowed instance types (${allowed.join(", ")}).`;
  const errors: string[] = [];
  for (const { type } of computeTypes.entries) {
    if (isAllowedType(limits, type)) continue;
    const field = computeTypes.listed ? COMPUTE_TYPES_PARAMETER : "ComputeInstanceType";
    errors.push(notAllowed(field, type));
  }
  const roles =
    computeTypes.entries.length > 0 ? (["Master"] as const) : (["Compute", "Master"] as const);
  for (const role of roles) {
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
      errors.push(notAllowed(shownField, type));
    }
  }
  return errors;
}
