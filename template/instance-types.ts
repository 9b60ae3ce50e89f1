/*
 * The instance types the default cluster template offers: a few named presets
 * and, for `other`, a list of labels in the seed's format
 * (`r4.large-2C-15.25GB`: type, vCPUs, memory in GiB).
 *
 * Only x86_64 types are listed, because the template boots the amd64 Ubuntu
 * image. Burstable (t*) types appear only as a preset and never as a label
 * (nor as a default alternative): their CPU credits make nodes of one shape
 * run at different speeds. The older families EC2 keeps out of cluster
 * placement groups (C3, R3, I2, G2, A1, …) are not listed either.
 */

/** vCPUs and memory (GiB) of one instance size, as EC2 documents them. */
export interface InstanceShape {
  readonly vcpus: number;
  readonly memoryGiB: number;
}

/** Sizes shared by the 6th/7th-generation Intel families, as [size, vCPUs]. */
const SIXTH_GEN_SIZES = [
  ["large", 2],
  ["xlarge", 4],
  ["2xlarge", 8],
  ["4xlarge", 16],
  ["8xlarge", 32],
  ["12xlarge", 48],
  ["16xlarge", 64],
  ["24xlarge", 96],
  ["32xlarge", 128],
] as const;
const SEVENTH_GEN_SIZES = [
  ...SIXTH_GEN_SIZES.filter(([size]) => size !== "32xlarge"),
  ["48xlarge", 192],
] as const;
const M5_SIZES = SIXTH_GEN_SIZES.filter(([size]) => size !== "32xlarge");

/** A family whose memory is a fixed multiple of its vCPUs. */
function family(
  name: string,
  sizes: ReadonlyArray<readonly [string, number]>,
  memoryPerVcpu: number,
): Array<[string, InstanceShape]> {
  return sizes.map(([size, vcpus]) => [
    `${name}.${size}`,
    { vcpus, memoryGiB: vcpus * memoryPerVcpu },
  ]);
}

/** Families whose memory does not follow a fixed ratio, listed size by size. */
function explicit(
  name: string,
  sizes: ReadonlyArray<readonly [string, number, number]>,
): Array<[string, InstanceShape]> {
  return sizes.map(([size, vcpus, memoryGiB]) => [`${name}.${size}`, { vcpus, memoryGiB }]);
}

/**
 * Every type offered through `*InstanceTypeOther`, with its shape. Grouped as
 * EC2 groups them: general purpose, compute optimised, memory optimised, HPC.
 */
export const OTHER_INSTANCE_TYPES: ReadonlyMap<string, InstanceShape> = new Map([
  // General purpose: 4 GiB per vCPU.
  ...family("m5", M5_SIZES, 4),
  ...family("m6i", SIXTH_GEN_SIZES, 4),
  ...family("m7i", SEVENTH_GEN_SIZES, 4),
  // Compute optimised: 2 GiB per vCPU, except c5's odd sizes and c5n.
  ...explicit("c5", [
    ["large", 2, 4],
    ["xlarge", 4, 8],
    ["2xlarge", 8, 16],
    ["4xlarge", 16, 32],
    ["9xlarge", 36, 72],
    ["12xlarge", 48, 96],
    ["18xlarge", 72, 144],
    ["24xlarge", 96, 192],
  ]),
  ...explicit("c5n", [
    ["large", 2, 5.25],
    ["xlarge", 4, 10.5],
    ["2xlarge", 8, 21],
    ["4xlarge", 16, 42],
    ["9xlarge", 36, 96],
    ["18xlarge", 72, 192],
  ]),
  ...family("c6i", SIXTH_GEN_SIZES, 2),
  ...family("c7i", SEVENTH_GEN_SIZES, 2),
  // Memory optimised: r4 (the seed's example) has 7.625 GiB per vCPU, later ones 8.
  ...explicit("r4", [
    ["large", 2, 15.25],
    ["xlarge", 4, 30.5],
    ["2xlarge", 8, 61],
    ["4xlarge", 16, 122],
    ["8xlarge", 32, 244],
    ["16xlarge", 64, 488],
  ]),
  ...family("r5", M5_SIZES, 8),
  ...family("r6i", SIXTH_GEN_SIZES, 8),
  ...family("r7i", SEVENTH_GEN_SIZES, 8),
  // HPC: whole sockets without hyper-threading; on-demand only and in few regions.
  ...explicit("hpc6a", [["48xlarge", 96, 384]]),
  ...explicit("hpc6id", [["32xlarge", 64, 1024]]),
  ...explicit("hpc7a", [
    ["12xlarge", 24, 768],
    ["24xlarge", 48, 768],
    ["48xlarge", 96, 768],
    ["96xlarge", 192, 768],
  ]),
]);

/** The seed's label for a type: `r4.large` → `r4.large-2C-15.25GB`. */
export function instanceLabelFor(type: string, shape: InstanceShape): string {
  return `${type}-${shape.vcpus}C-${shape.memoryGiB}GB`;
}

/** The `AllowedValues` of both `*InstanceTypeOther` parameters. */
export const INSTANCE_LABELS: readonly string[] = [...OTHER_INSTANCE_TYPES].map(([type, shape]) =>
  instanceLabelFor(type, shape),
);

/** The label both `*InstanceTypeOther` parameters default to. */
export const DEFAULT_INSTANCE_LABEL = "m7i.large-2C-8GB";

/**
 * The named presets. Each mapping entry carries the EC2 type under
 * `InstanceType` (the key `resolveInstanceType` in the merge library reads),
 * its label in the seed's format under `Label` (so a preset's vCPUs and
 * memory are known exactly as an `other` label's are), and whether its
 * compute nodes go in a cluster placement group. Only `hpc` does: a cluster
 * placement group lives in one Availability Zone, so its nodes give up the
 * other zones' capacity for the lowest latency between them; every other
 * choice spreads over every zone of the deployment.
 */
export const INSTANCE_PRESETS = {
  small: { InstanceType: "t3.medium", Label: "t3.medium-2C-4GB", PlacementGroup: "false" },
  medium: { InstanceType: "m7i.xlarge", Label: "m7i.xlarge-4C-16GB", PlacementGroup: "false" },
  large: { InstanceType: "c7i.8xlarge", Label: "c7i.8xlarge-32C-64GB", PlacementGroup: "false" },
  hpc: { InstanceType: "c5n.18xlarge", Label: "c5n.18xlarge-72C-192GB", PlacementGroup: "true" },
} as const;

/**
 * Hardware threads per core of a type (1 for the HPC families, 2 for the
 * rest); the merge's compute types share it. The default customizer turns the
 * second thread off on compute nodes, so a node has vCPUs / threads cores
 * (master.sh computes the same from a label).
 */
export { threadsPerCore } from "../functions/shared/instance-table.js";

/** The choice that selects `*InstanceTypeOther` instead of a preset. */
export const OTHER_CHOICE = "other";

/**
 * The preset mapping as the template declares it. `Fn::FindInMap` needs an
 * entry for every choice it may be evaluated with, so `other` has one too;
 * its `InstanceType` and `Label` name no type, so nothing resolves through them, and
 * its nodes spread over every zone, with no placement group.
 */
export const PRESET_MAPPING = {
  ...INSTANCE_PRESETS,
  [OTHER_CHOICE]: { InstanceType: OTHER_CHOICE, Label: OTHER_CHOICE, PlacementGroup: "false" },
} as const;
