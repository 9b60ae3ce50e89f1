import type { CfnTemplate } from "./cfn-template.js";
import { INSTANCE_LABEL_PATTERN, instanceTypeOfLabel } from "./config-fields.js";

/*
 * The instance types a cluster template offers, and which of them a
 * `*InstanceType` choice selects: read from the template's instance labels
 * (`type-<vCPUs>C-<GiB>GB`) and its preset mappings alone.
 */

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
/** A preset name ending in an instance type, such as `compute-small-c5.large`. */
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

/**
 * The entry of the type a choice selects: from the label of `other` or of the
 * preset, else from the template's table by the type the choice resolves to.
 */
export function chosenEntry(
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
