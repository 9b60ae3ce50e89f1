import type * as t from "io-ts";
import {
  FIELD_RULES,
  INSTANCE_CHOICE_PATTERN,
  INSTANCE_LABEL_PATTERN,
  INSTANCE_TYPE_ITEM,
  instanceTypeOfLabel,
  MIN_SPOT_PRICE,
  PRICE_PATTERN,
  type ClusterConfigField,
} from "./config-fields.js";
import { patternCodec, sentenceCodec } from "./readable-errors.js";

/*
 * One codec per cluster config field. Each accepts what a user would write
 * (a number or a string, a list or a comma-separated string) and yields the
 * string CloudFormation takes, or refuses with a sentence saying what it wants.
 */

function wholeNumber(min: number, max: number) {
  return (input: unknown): string | undefined => {
    const text = typeof input === "number" ? String(input) : input;
    if (typeof text !== "string" || !/^(0|[1-9]\d*)$/.test(text.trim())) return undefined;
    const value = Number(text.trim());
    return value >= min && value <= max ? String(value) : undefined;
  };
}

function spotPrice(max: number) {
  return (input: unknown): string | undefined => {
    const text = typeof input === "number" && Number.isFinite(input) ? String(input) : input;
    if (typeof text !== "string" || !PRICE_PATTERN.test(text.trim())) return undefined;
    const value = Number(text.trim());
    if (value > max || (value > 0 && value <= MIN_SPOT_PRICE)) return undefined;
    // "0.0" and "0" both mean on-demand; one spelling keeps the template's condition simple.
    return value === 0 ? "0" : text.trim();
  };
}

/**
 * A list of instance types: a comma-separated string or a JSON array, each
 * item a type (`c7i.large`) or a label (`c7i.large-2C-4GB`), at most `max`,
 * none twice. Normalized to `a,b`; empty means the template's own choice.
 */
function instanceTypeList(max: number) {
  return (input: unknown): string | undefined => {
    const items = Array.isArray(input)
      ? input
      : typeof input === "string"
        ? input.split(",").map((item) => item.trim())
        : undefined;
    if (items === undefined || !items.every((item) => typeof item === "string")) return undefined;
    const list = (items as string[]).filter((item) => item !== "");
    const types = list.map((item) => instanceTypeOfLabel(item) ?? item);
    const valid = list.every(
      (item) => INSTANCE_TYPE_ITEM.test(item) || INSTANCE_LABEL_PATTERN.test(item),
    );
    return valid && list.length <= max && new Set(types).size === types.length
      ? list.join(",")
      : undefined;
  };
}

declare const nodeCountBrand: unique symbol;
/** A whole number of nodes, as the decimal string CloudFormation takes. */
export type NodeCount = string & { readonly [nodeCountBrand]: true };
declare const spotPriceBrand: unique symbol;
/** A spot price in USD per hour; `"0"` means on-demand. */
export type SpotPrice = string & { readonly [spotPriceBrand]: true };
declare const volumeSizeBrand: unique symbol;
/** A volume size in GiB. */
export type VolumeSize = string & { readonly [volumeSizeBrand]: true };
declare const instanceChoiceBrand: unique symbol;
/** A preset name or `other`; the template's `AllowedValues` says which. */
export type InstanceChoice = string & { readonly [instanceChoiceBrand]: true };
declare const instanceTypesBrand: unique symbol;
/** Instance types or labels, comma-separated (`c7i.large,c6i.large`). */
export type InstanceTypes = string & { readonly [instanceTypesBrand]: true };
declare const instanceLabelBrand: unique symbol;
/** An instance label such as `r4.large-2C-15.25GB`. */
export type InstanceLabel = string & { readonly [instanceLabelBrand]: true };
export type SwitchValue = "enabled" | "disabled";

const rules = FIELD_RULES;

const NodeCountCodec = (rule: { min: number; max: number }) =>
  sentenceCodec<NodeCount>(
    "NodeCount",
    `a whole number from ${rule.min} to ${rule.max}`,
    wholeNumber(rule.min, rule.max),
  );

const InstanceChoiceCodec = patternCodec<InstanceChoice>(
  "InstanceChoice",
  INSTANCE_CHOICE_PATTERN,
  'an instance preset name or "other"',
);

const InstanceLabelCodec = patternCodec<InstanceLabel>(
  "InstanceLabel",
  INSTANCE_LABEL_PATTERN,
  'an instance label such as "r4.large-2C-15.25GB" (type, then vCPUs and memory)',
);

const InstanceTypesCodec = sentenceCodec<InstanceTypes>(
  "InstanceTypes",
  `at most ${rules.ComputeInstanceTypes.max} different instance types, such as "c7i.large,c6i.large" or ["c7i.large", "c6i.large"]`,
  instanceTypeList(rules.ComputeInstanceTypes.max),
);

const SpotPriceCodec = sentenceCodec<SpotPrice>(
  "SpotPrice",
  `a price in USD per hour such as "0.03": "0" for on-demand, otherwise above ${MIN_SPOT_PRICE} and at most ${rules.ComputeSpotPrice.max}`,
  spotPrice(rules.ComputeSpotPrice.max),
);

const SwitchCodec = sentenceCodec<SwitchValue>("Switch", '"enabled" or "disabled"', (input) =>
  input === true
    ? "enabled"
    : input === false
      ? "disabled"
      : input === "enabled" || input === "disabled"
        ? input
        : undefined,
);

const VolumeSizeCodec = sentenceCodec<VolumeSize>(
  "VolumeSize",
  `a size in GiB, a whole number from ${rules.MasterSystemVolumeSize.min} to ${rules.MasterSystemVolumeSize.max}`,
  wholeNumber(rules.MasterSystemVolumeSize.min, rules.MasterSystemVolumeSize.max),
);

/** Each field's codec, by field. */
export const FIELD_CODECS = {
  ComputeInstanceType: InstanceChoiceCodec,
  ComputeInstanceTypeOther: InstanceLabelCodec,
  ComputeInstanceTypes: InstanceTypesCodec,
  MasterInstanceType: InstanceChoiceCodec,
  MasterInstanceTypeOther: InstanceLabelCodec,
  ComputeSpotPrice: SpotPriceCodec,
  AutoscalingPolicy: SwitchCodec,
  ComputeInitialNodes: NodeCountCodec(rules.ComputeInitialNodes),
  ComputeMaxNodes: NodeCountCodec(rules.ComputeMaxNodes),
  MasterSystemVolumeSize: VolumeSizeCodec,
  IdleDeleteMinutes: sentenceCodec<NodeCount>(
    "IdleDeleteMinutes",
    `a whole number of minutes from ${rules.IdleDeleteMinutes.min} (never) to ${rules.IdleDeleteMinutes.max}`,
    wholeNumber(rules.IdleDeleteMinutes.min, rules.IdleDeleteMinutes.max),
  ),
  SpotFallbackMinutes: sentenceCodec<NodeCount>(
    "SpotFallbackMinutes",
    `a whole number of minutes from ${rules.SpotFallbackMinutes.min} (never: spot only) to ${rules.SpotFallbackMinutes.max}`,
    wholeNumber(rules.SpotFallbackMinutes.min, rules.SpotFallbackMinutes.max),
  ),
} satisfies Record<ClusterConfigField, t.Mixed>;
