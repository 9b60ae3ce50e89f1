import type { CfnTemplate } from "./cfn-template.js";
import { INSTANCE_LABEL_PATTERN, instanceTypeOfLabel } from "./cluster-config.js";

/*
 * The EC2 instance types a cluster's compute group may launch. A cluster's
 * compute nodes are one shape (the same vCPUs and threads per core) but may
 * come from several types: the type `ComputeInstanceType` selects, then
 * alternatives of that shape with at least its memory, so that the group
 * can launch from another spot pool when one has no capacity. Everything
 * here reads a template and parameter values only: the merge, the CLI and
 * the price estimate all get the same answer.
 */

/** The template parameter listing the compute group's types, as instance labels. */
export const COMPUTE_TYPES_PARAMETER = "ComputeInstanceTypes";

/** The most types a compute group takes (the default template has this many override slots). */
export const MAX_COMPUTE_TYPES = 4;

/** One type of the template's instance table, from its label (`type-<vCPUs>C-<GiB>GB`). */
export interface InstanceEntry {
  readonly type: string;
  readonly label: string;
  readonly vcpus: number;
  readonly memoryGiB: number;
}

/**
 * Hardware threads per core of a type: 1 for the HPC families, which run
 * without simultaneous multithreading, 2 for every other x86_64 type. Types
 * of one compute group share it, so every node has the same cores.
 */
export function threadsPerCore(type: string): number {
  return type.startsWith("hpc") ? 1 : 2;
}

function entryOfLabel(label: string): InstanceEntry | undefined {
  const match = INSTANCE_LABEL_PATTERN.exec(label);
  if (match === null) return undefined;
  const [, type = "", vcpus = "", memory = ""] = match;
  return { type, label, vcpus: Number(vcpus), memoryGiB: Number(memory) };
}

/**
 * The instance types a template offers, by type: every instance label among
 * its parameters' `AllowedValues` (the `*InstanceTypeOther` lists) and its
 * mappings' `Label` entries (the presets).
 */
export function instanceTable(template: CfnTemplate): ReadonlyMap<string, InstanceEntry> {
  const labels: string[] = [];
  for (const declaration of Object.values(template.Parameters ?? {})) {
    for (const value of declaration.AllowedValues ?? []) labels.push(String(value));
  }
  for (const mapping of Object.values(template.Mappings ?? {})) {
    for (const entry of Object.values(mapping)) {
      if (typeof entry["Label"] === "string") labels.push(entry["Label"]);
    }
  }
  const table = new Map<string, InstanceEntry>();
  for (const label of labels) {
    const entry = entryOfLabel(label);
    if (entry !== undefined && !table.has(entry.type)) table.set(entry.type, entry);
  }
  return table;
}

/** An EC2 instance type: a family (`c7i`, `m7i-flex`, `u-6tb1`) then a size (`large`, `metal-24xl`). */
const INSTANCE_TYPE = /^(?:[a-z]+\d[a-z0-9]*(?:-[a-z0-9]+)?|u-[a-z0-9]+)\.[a-z0-9-]+$/;
/** A preset name ending in an instance type, as the seed's template named them: `compute-small-c5.large`. */
const TRAILING_INSTANCE_TYPE =
  /(?:^|-)((?:[a-z]+\d[a-z0-9]*(?:-[a-z0-9]+)?|u-[a-z0-9]+)\.[a-z0-9]+)$/;

/** The first `key` value of a mapping entry named after a preset choice that `accept`s, own keys only. */
function presetEntry(
  template: CfnTemplate,
  choice: string,
  key: string,
  accept: (value: string) => boolean,
): string | undefined {
  for (const mapping of Object.values(template.Mappings ?? {})) {
    const entry = Object.hasOwn(mapping, choice) ? mapping[choice] : undefined;
    const value = entry?.[key];
    if (typeof value === "string" && accept(value)) return value;
  }
  return undefined;
}

const isLabel = (value: string) => INSTANCE_LABEL_PATTERN.test(value);

/**
 * The EC2 instance type a choice selects: the `*InstanceTypeOther` label when
 * the choice is `other`; else a template mapping entry named after the choice
 * with an `InstanceType` value (how presets are declared); else the choice
 * itself when it is a label, a bare instance type or a name ending in one.
 */
export function resolveInstanceType(
  template: CfnTemplate,
  choice: string,
  other: string | undefined,
): string | undefined {
  if (choice === "other") return other === undefined ? undefined : instanceTypeOfLabel(other);
  const preset = presetEntry(template, choice, "InstanceType", (v) => INSTANCE_TYPE.test(v));
  if (preset !== undefined) return preset;
  if (INSTANCE_TYPE.test(choice)) return choice;
  return instanceTypeOfLabel(choice) ?? TRAILING_INSTANCE_TYPE.exec(choice)?.[1];
}

/**
 * The vCPUs of the instance a choice selects, from its label: the
 * `*InstanceTypeOther` label for `other`, else the `Label` of the template's
 * mapping entry for the preset (as the default template declares them), else
 * the choice itself when it is a label.
 */
export function instanceVcpus(
  template: CfnTemplate,
  choice: string,
  other: string | undefined,
): number | undefined {
  const label =
    choice === "other" ? other : (presetEntry(template, choice, "Label", isLabel) ?? choice);
  return label === undefined ? undefined : entryOfLabel(label)?.vcpus;
}

/** The label of the type a choice selects, when the template's table knows it. */
function chosenEntry(
  template: CfnTemplate,
  table: ReadonlyMap<string, InstanceEntry>,
  choice: string | undefined,
  other: string | undefined,
): InstanceEntry | undefined {
  if (choice === undefined) return undefined;
  const label = choice === "other" ? other : presetEntry(template, choice, "Label", isLabel);
  const entry = label === undefined ? undefined : entryOfLabel(label);
  if (entry !== undefined) return entry;
  const type = resolveInstanceType(template, choice, other);
  return type === undefined ? undefined : table.get(type);
}

/** A family's generation: `m7i` → 7; used to prefer newer types among equals. */
function generation(type: string): number {
  return Number(/^[a-z]+(\d+)/.exec(type)?.[1] ?? 0);
}

/**
 * The default types for a compute group whose nodes are `primary`: it first,
 * then the table's types of the same vCPUs and threads per core with at
 * least its memory, not burstable, least memory first, then the newest
 * generation, then the table's order; at most {@link MAX_COMPUTE_TYPES}, and
 * only types `allowed` accepts.
 *
 * @example
 * defaultComputeTypes(table.get("c7i.large"), table)
 * // => [c7i.large, c6i.large, c5.large, c5n.large] (2 vCPUs, 4 GiB and up)
 */
export function defaultComputeTypes(
  primary: InstanceEntry,
  table: ReadonlyMap<string, InstanceEntry>,
  allowed: (type: string) => boolean = () => true,
): InstanceEntry[] {
  const order = [...table.keys()];
  const alternatives = [...table.values()]
    .filter(
      (entry) =>
        entry.type !== primary.type &&
        entry.vcpus === primary.vcpus &&
        threadsPerCore(entry.type) === threadsPerCore(primary.type) &&
        entry.memoryGiB >= primary.memoryGiB &&
        !/^t\d/.test(entry.type) &&
        allowed(entry.type),
    )
    .sort(
      (a, b) =>
        a.memoryGiB - b.memoryGiB ||
        generation(b.type) - generation(a.type) ||
        order.indexOf(a.type) - order.indexOf(b.type),
    );
  return [primary, ...alternatives].slice(0, MAX_COMPUTE_TYPES);
}

/** The items of a list value: `"a, b,,c"` → `["a", "b", "c"]`. */
function listItems(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** A parameter's value: the given one, else the template's default. */
function valueOf(
  parameters: Readonly<Record<string, string>>,
  template: CfnTemplate,
  key: string,
): string | undefined {
  if (Object.hasOwn(parameters, key)) return parameters[key];
  const fallback = template.Parameters?.[key]?.Default;
  return fallback === undefined ? undefined : String(fallback);
}

/**
 * The EC2 instance types a merged cluster's compute group may launch, in
 * order (the first is the type `ComputeInstanceType` selects, unless the
 * user listed their own). Parameters left out fall back to the template's
 * defaults.
 *
 * - A template with a `ComputeInstanceTypes` parameter launches the types it
 *   lists (labels or bare types). The merge always fills it; left empty, the
 *   types are the defaults the merge would choose ({@link defaultComputeTypes},
 *   before the admin's allowed types narrow them).
 * - Any other template launches the one type `ComputeInstanceType` selects.
 *
 * Empty when the type cannot be told.
 *
 * @example
 * computeInstanceTypes({ ComputeInstanceTypes: "c7i.large-2C-4GB,c6i.large-2C-4GB" }, template)
 * // => ["c7i.large", "c6i.large"]
 */
export function computeInstanceTypes(
  parameters: Readonly<Record<string, string>>,
  template: CfnTemplate,
): string[] {
  const value = (key: string) => valueOf(parameters, template, key);
  const declared = template.Parameters?.[COMPUTE_TYPES_PARAMETER] !== undefined;
  const listed = declared ? listItems(value(COMPUTE_TYPES_PARAMETER)) : [];
  if (listed.length > 0) return listed.map((item) => instanceTypeOfLabel(item) ?? item);
  const choice = value("ComputeInstanceType");
  const other = value("ComputeInstanceTypeOther");
  const table = instanceTable(template);
  const primary = chosenEntry(template, table, choice, other);
  if (declared && primary !== undefined) {
    return defaultComputeTypes(primary, table).map((entry) => entry.type);
  }
  const type = choice === undefined ? undefined : resolveInstanceType(template, choice, other);
  return type === undefined ? [] : [type];
}

/**
 * The largest type {@link computeInstanceTypes} returns: most vCPUs, then
 * most memory (from the template's table), the first among equals. What the
 * vCPU quota and a price estimate count each compute node as.
 */
export function largestComputeInstanceType(
  parameters: Readonly<Record<string, string>>,
  template: CfnTemplate,
): string | undefined {
  const table = instanceTable(template);
  const size = (type: string) => {
    const entry = table.get(type);
    return entry === undefined ? [0, 0] : [entry.vcpus, entry.memoryGiB];
  };
  let largest: string | undefined;
  for (const type of computeInstanceTypes(parameters, template)) {
    if (largest === undefined) {
      largest = type;
      continue;
    }
    const [vcpus = 0, memory = 0] = size(type);
    const [topVcpus = 0, topMemory = 0] = size(largest);
    if (vcpus > topVcpus || (vcpus === topVcpus && memory > topMemory)) largest = type;
  }
  return largest;
}

/** What the merge settles about the compute group: its types' entries, or why it cannot. */
export type ComputeTypeSet =
  | { readonly ok: true; readonly entries: readonly InstanceEntry[] }
  | { readonly ok: false; readonly errors: readonly string[] };

/**
 * The compute group's types for the merge: the user's own list (every item a
 * type or label of the template's table, all of one shape, each allowed), or
 * the defaults for the type `ComputeInstanceType` selects, narrowed to the
 * allowed ones. `choiceFromConfig` says the user named the choice themselves,
 * so a list that leaves its type out is refused rather than silently winning.
 */
export function settleComputeTypes(input: {
  readonly template: CfnTemplate;
  readonly listed: string | undefined;
  readonly choice: string | undefined;
  readonly other: string | undefined;
  readonly choiceFromConfig: boolean;
  readonly allowed: (type: string) => boolean;
}): ComputeTypeSet {
  const { template, choice, other } = input;
  const table = instanceTable(template);
  const items = listItems(input.listed);
  if (items.length === 0) {
    const primary = chosenEntry(template, table, choice, other);
    if (primary === undefined) return { ok: true, entries: [] };
    return { ok: true, entries: defaultComputeTypes(primary, table, input.allowed) };
  }
  const errors: string[] = [];
  const entries: InstanceEntry[] = [];
  for (const item of items) {
    const entry = table.get(instanceTypeOfLabel(item) ?? item);
    if (entry === undefined) {
      errors.push(
        `${COMPUTE_TYPES_PARAMETER}: ${JSON.stringify(item)} is not an instance type this cluster template offers; choose types from its ComputeInstanceTypeOther list, such as "c7i.large".`,
      );
    } else if (entries.some((e) => e.type === entry.type)) {
      errors.push(`${COMPUTE_TYPES_PARAMETER} names ${entry.type} more than once.`);
    } else {
      entries.push(entry);
    }
  }
  if (items.length > MAX_COMPUTE_TYPES) {
    errors.push(
      `${COMPUTE_TYPES_PARAMETER} lists ${items.length} types; a compute group takes at most ${MAX_COMPUTE_TYPES}.`,
    );
  }
  const [first] = entries;
  for (const entry of entries.slice(1)) {
    if (first === undefined) break;
    if (entry.vcpus !== first.vcpus || threadsPerCore(entry.type) !== threadsPerCore(first.type)) {
      errors.push(
        `${COMPUTE_TYPES_PARAMETER}: ${first.type} has ${first.vcpus / threadsPerCore(first.type)} cores (${first.vcpus} vCPUs) and ${entry.type} ${entry.vcpus / threadsPerCore(entry.type)} (${entry.vcpus} vCPUs); every compute type must have the same cores and vCPUs, so that every node is the same shape.`,
      );
    }
  }
  const chosen = choice === undefined ? undefined : resolveInstanceType(template, choice, other);
  if (input.choiceFromConfig && chosen !== undefined && !entries.some((e) => e.type === chosen)) {
    errors.push(
      `ComputeInstanceType selects ${chosen}, which ${COMPUTE_TYPES_PARAMETER} does not list; add it to the list, or leave ComputeInstanceType out.`,
    );
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, entries };
}
