import type { CfnTemplate } from "./cfn-template.js";
import { cents, usd } from "./money.js";
import { diskPricePerGiBHour, onDemandPrice, type PriceBook } from "./price-book.js";
import { computeInstanceTypes } from "./compute-types.js";
import { resolveInstanceType } from "./instance-table.js";

/*
 * The price before launch: the most a cluster can cost per hour and over its
 * lifetime, from what the merge resolved (its parameters) and the template,
 * priced with the price book. The most, because that is the figure a user
 * can plan on: every compute node up (ComputeMaxNodes), each at its spot cap
 * or on-demand, the master on-demand (it always is), and their disks.
 */

/** What a cluster may run, as far as money goes. */
export interface ClusterShape {
  readonly masterType: string | undefined;
  /** The instance types compute nodes may run as. */
  readonly computeTypes: readonly string[];
  readonly maxNodes: number;
  /** USD per hour a spot compute node may cost at most; `undefined` when they run on-demand. */
  readonly spotCap: number | undefined;
  /** Spot nodes may fall back to on-demand (the admin allows it and the cluster waits for it). */
  readonly onDemandFallback: boolean;
  /** GiB of disk on the master, and on each compute node. */
  readonly masterDiskGiB: number;
  readonly computeDiskGiB: number;
}

type Parameters = Readonly<Record<string, string>>;

/** A parameter list (a CreateStack request's, or a stack's) as a map. */
export function parameterMap(
  list: ReadonlyArray<{ readonly ParameterKey?: string; readonly ParameterValue?: string }>,
): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { ParameterKey, ParameterValue } of list) {
    if (ParameterKey !== undefined && ParameterValue !== undefined)
      Object.defineProperty(map, ParameterKey, { value: ParameterValue, enumerable: true });
  }
  return map;
}

/** A parameter's value: the one given, else the template's default. */
function effective(template: CfnTemplate, parameters: Parameters, key: string): string | undefined {
  if (Object.hasOwn(parameters, key)) return parameters[key];
  const declared = template.Parameters?.[key]?.Default;
  return declared === undefined ? undefined : String(declared);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The GiB of a resource's block device mappings: numbers, or parameters that hold numbers. */
function diskGiB(mappings: unknown, template: CfnTemplate, parameters: Parameters): number {
  if (!Array.isArray(mappings)) return 0;
  let total = 0;
  for (const mapping of mappings) {
    const size = isRecord(mapping) && isRecord(mapping["Ebs"]) ? mapping["Ebs"]["VolumeSize"] : 0;
    const value =
      isRecord(size) && typeof size["Ref"] === "string"
        ? effective(template, parameters, size["Ref"])
        : size;
    const gib = Number(value);
    if (Number.isFinite(gib) && gib > 0) total += gib;
  }
  return total;
}

/** The disks of the template's master (its EC2 instance) and of each compute node (its groups' launch template). */
function disksOf(
  template: CfnTemplate,
  parameters: Parameters,
): { master: number; compute: number } {
  const resources = Object.values(template.Resources as Record<string, unknown>).filter(isRecord);
  const propertiesOf = (resource: Record<string, unknown>) =>
    isRecord(resource["Properties"]) ? resource["Properties"] : {};
  let master = 0;
  let compute = 0;
  for (const resource of resources) {
    const properties = propertiesOf(resource);
    if (resource["Type"] === "AWS::EC2::Instance") {
      master += diskGiB(properties["BlockDeviceMappings"], template, parameters);
    }
    if (resource["Type"] === "AWS::AutoScaling::AutoScalingGroup") {
      // Its launch template: named directly, or in a mixed-instances policy.
      const mixed = isRecord(properties["MixedInstancesPolicy"])
        ? properties["MixedInstancesPolicy"]["LaunchTemplate"]
        : undefined;
      const spec = isRecord(mixed)
        ? mixed["LaunchTemplateSpecification"]
        : properties["LaunchTemplate"];
      const reference = isRecord(spec) ? spec["LaunchTemplateId"] : undefined;
      const name = isRecord(reference) ? reference["Ref"] : undefined;
      const launch =
        typeof name === "string"
          ? (template.Resources as Record<string, unknown>)[name]
          : undefined;
      const data = isRecord(launch) ? propertiesOf(launch)["LaunchTemplateData"] : undefined;
      // A node is in one group (spot, or its on-demand fallback): the largest disk counts.
      if (isRecord(data))
        compute = Math.max(compute, diskGiB(data["BlockDeviceMappings"], template, parameters));
    }
  }
  return { master, compute };
}

/** What a cluster of these parameters may run. */
export function clusterShapeOf(template: CfnTemplate, parameters: Parameters): ClusterShape {
  const value = (key: string) => effective(template, parameters, key);
  const masterChoice = value("MasterInstanceType");
  const spot = Number(value("ComputeSpotPrice") ?? "0");
  const disks = disksOf(template, parameters);
  return {
    masterType:
      masterChoice === undefined
        ? undefined
        : resolveInstanceType(template, masterChoice, value("MasterInstanceTypeOther")),
    // The types the compute group may launch; the quote prices the most expensive.
    computeTypes: computeInstanceTypes(parameters, template),
    maxNodes: Number(value("ComputeMaxNodes") ?? "0") || 0,
    spotCap: Number.isFinite(spot) && spot > 0 ? spot : undefined,
    onDemandFallback:
      value("ComputeOnDemandAllowed") === "true" && Number(value("SpotFallbackMinutes") ?? "0") > 0,
    masterDiskGiB: disks.master,
    computeDiskGiB: disks.compute,
  };
}

/**
 * The most expensive of several types by `price`, which a node may run as;
 * `undefined` when any of them has no price (the most cannot be known).
 */
export function mostExpensiveType(
  types: readonly string[],
  price: (type: string) => number | undefined,
): { readonly type: string; readonly price: number } | undefined {
  let most: { type: string; price: number } | undefined;
  for (const type of types) {
    const p = price(type);
    if (p === undefined) return undefined;
    if (most === undefined || p > most.price) most = { type, price: p };
  }
  return most;
}

/** The price before launch, or why it is unknown. */
export type CostQuote =
  | {
      readonly kind: "priced";
      /** The most the cluster costs per hour, USD. */
      readonly perHour: number;
      readonly lifetimeHours: number;
      /** The most it costs over its lifetime, USD. */
      readonly lifetime: number;
      readonly text: string;
    }
  | { readonly kind: "unknown"; readonly text: string };

/**
 * The most a cluster of `shape` costs per hour and over `lifetimeHours`.
 *
 * @example
 * quoteCluster({ masterType: "r4.large", computeTypes: ["r4.large"], maxNodes: 25, spotCap: 0.03,
 *                masterDiskGiB: 0, computeDiskGiB: 0 }, book, 72).text
 * // => "up to $0.883/hour: master r4.large on-demand $0.133 + 25 × r4.large at your spot cap of $0.03; at most $63.58 over its 72-hour lifetime"
 */
export function quoteCluster(
  shape: ClusterShape,
  book: PriceBook | undefined,
  lifetimeHours: number,
): CostQuote {
  const master = shape.masterType === undefined ? undefined : onDemandPrice(book, shape.masterType);
  if (shape.masterType === undefined || master === undefined) {
    return {
      kind: "unknown",
      text: `price unknown: no price for the master's instance type ${shape.masterType ?? "(unknown)"}`,
    };
  }
  const computeTypes = shape.computeTypes.join("/") || "(unknown)";
  let node: number | undefined;
  let nodeText: string;
  const most = mostExpensiveType(shape.computeTypes, (type) => onDemandPrice(book, type));
  const onDemand = shape.computeTypes.length === 0 ? undefined : most?.price;
  if (shape.spotCap !== undefined && !shape.onDemandFallback) {
    node = shape.spotCap;
    nodeText = `${shape.maxNodes} × ${computeTypes} at your spot cap of ${usd(shape.spotCap)}`;
  } else if (shape.spotCap !== undefined) {
    // Spot first, on-demand when spot fails: either may be the dearer.
    node = onDemand === undefined ? undefined : Math.max(shape.spotCap, onDemand);
    nodeText = `${shape.maxNodes} × ${computeTypes} at your spot cap of ${usd(shape.spotCap)} or on-demand up to ${usd(onDemand ?? 0)} when spot fails`;
  } else {
    node = onDemand;
    nodeText = `${shape.maxNodes} × ${most?.type ?? computeTypes} on-demand ${usd(node ?? 0)}`;
  }
  if (node === undefined && shape.maxNodes > 0) {
    return {
      kind: "unknown",
      text: `price unknown: no price for the compute instance type ${computeTypes}`,
    };
  }
  const diskRate = diskPricePerGiBHour(book);
  const disks = (shape.masterDiskGiB + shape.maxNodes * shape.computeDiskGiB) * diskRate;
  const perHour = master + shape.maxNodes * (node ?? 0) + disks;
  const parts = [`master ${shape.masterType} on-demand ${usd(master)}`];
  if (shape.maxNodes > 0) parts.push(nodeText);
  if (disks > 0) parts.push(`disks ${usd(disks)}`);
  const lifetime = perHour * lifetimeHours;
  return {
    kind: "priced",
    perHour,
    lifetimeHours,
    lifetime,
    text: `up to ${usd(perHour)}/hour: ${parts.join(" + ")}; at most ${cents(lifetime)} over its ${lifetimeHours}-hour lifetime`,
  };
}
