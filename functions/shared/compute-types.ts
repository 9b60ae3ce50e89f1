import type { CfnTemplate } from "./cfn-template.js";
import { instanceTypeOfLabel } from "./config-fields.js";
import {
  chosenEntry,
  instanceTable,
  resolveInstanceType,
  threadsPerCore,
  type InstanceEntry,
} from "./instance-table.js";

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
  const { entries, errors } = listedEntries(items, table);
  errors.push(...shapeErrors(entries));
  const chosen = choice === undefined ? undefined : resolveInstanceType(template, choice, other);
  if (input.choiceFromConfig && chosen !== undefined && !entries.some((e) => e.type === chosen)) {
    errors.push(
      `ComputeInstanceType selects ${chosen}, which ${COMPUTE_TYPES_PARAMETER} does not list; add it to the list, or leave ComputeInstanceType out.`,
    );
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, entries };
}

/** The table's entries for a listed group, each once, and what is wrong with the list. */
function listedEntries(
  items: readonly string[],
  table: ReadonlyMap<string, InstanceEntry>,
): { entries: InstanceEntry[]; errors: string[] } {
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
  return { entries, errors };
}

/** One refusal for each type whose cores or vCPUs differ from the first's. */
function shapeErrors(entries: readonly InstanceEntry[]): string[] {
  const [first, ...rest] = entries;
  if (first === undefined) return [];
  const cores = (entry: InstanceEntry) => entry.vcpus / threadsPerCore(entry.type);
  return rest
    .filter(
      (entry) =>
        entry.vcpus !== first.vcpus || threadsPerCore(entry.type) !== threadsPerCore(first.type),
    )
    .map(
      (entry) =>
        `${COMPUTE_TYPES_PARAMETER}: ${first.type} has ${cores(first)} cores (${first.vcpus} vCPUs) and ${entry.type} ${cores(entry)} (${entry.vcpus} vCPUs); every compute type must have the same cores and vCPUs, so that every node is the same shape.`,
    );
}
