import { left, type Either } from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { findStructureProblem } from "./json-structure.js";
import {
  closedObject,
  decodeReadably,
  patternCodec,
  previewValue,
  sentenceCodec,
} from "./readable-errors.js";

/** The largest `.cf-create` file FlightDeck reads. Anything bigger is refused unread. */
export const MAX_CONFIG_BYTES = 16 * 1024;

/**
 * The deepest a config's values may nest. A config is one flat object of
 * settings, so anything near this is a mistake, or an attempt to make the
 * error formatter recurse until the stack overflows.
 */
export const MAX_CONFIG_DEPTH = 32;

/**
 * What each user-settable field accepts. The template tests compare these
 * bounds with the default template's own parameter constraints, so the codec
 * and the template cannot drift apart.
 */
export const FIELD_RULES = {
  ComputeInstanceType: { kind: "choice" },
  ComputeInstanceTypeOther: { kind: "instance-label" },
  /** Types the compute group may launch, of one shape; empty for the template's own choice. */
  ComputeInstanceTypes: { kind: "instance-types", max: 4 },
  MasterInstanceType: { kind: "choice" },
  MasterInstanceTypeOther: { kind: "instance-label" },
  ComputeSpotPrice: { kind: "price", max: 1000 },
  AutoscalingPolicy: { kind: "switch", values: ["enabled", "disabled"] },
  ComputeInitialNodes: { kind: "integer", min: 0, max: 1000 },
  ComputeMaxNodes: { kind: "integer", min: 1, max: 1000 },
  MasterSystemVolumeSize: { kind: "integer", min: 8, max: 16384 },
  /** Minutes without jobs or logins before the master deletes its cluster; 0 is never. */
  IdleDeleteMinutes: { kind: "integer", min: 0, max: 10080 },
  /** Minutes spot must fail before waiting nodes launch on-demand (when allowed); 0 is never. */
  SpotFallbackMinutes: { kind: "integer", min: 0, max: 1440 },
} as const;

export type ClusterConfigField = keyof typeof FIELD_RULES;
export const CLUSTER_CONFIG_FIELDS = Object.keys(FIELD_RULES) as ClusterConfigField[];

/** Parameters FlightDeck sets for every stack, from the user, cluster and deployment. */
export const SYSTEM_PARAMETERS = [
  "AccessUsername",
  "FlightProfiles",
  "ClusterName",
  "CustomizerBucket",
  "CustomizerPrefix",
  "NodePermissionsBoundary",
  /** The users' bucket and the owner's home in it (`home/<user id>`): results and the idle `.cf-delete`. */
  "FlightDeckBucket",
  "UserHomePrefix",
  /** The owner's UID: it owns every file of their home, on every cluster. */
  "AccessUid",
  /** The deployment's shared network (names of SSM parameters CloudFormation resolves). */
  "VpcId",
  "SubnetIds",
  /** The owner's home: its file system, and the security group that may reach it. */
  "HomeFileSystem",
  "HomeSecurityGroup",
  /** Whether the admin's limits let compute nodes fall back to on-demand: "true" or "false". */
  "ComputeOnDemandAllowed",
] as const;
export type SystemParameter = (typeof SYSTEM_PARAMETERS)[number];

/** Parameters only the deployment's settings may set (who may reach the cluster by SSH). */
export const ADMIN_PARAMETERS = ["AccessNetwork"] as const;

/**
 * Parameters a cluster config may not name. The seed let users set
 * `AccessUsername` and so run another user's customizer; here that is refused.
 */
export const RESERVED_PARAMETERS: readonly string[] = [...SYSTEM_PARAMETERS, ...ADMIN_PARAMETERS];

/**
 * An instance label in the seed's format: the EC2 instance type, then the
 * vCPU count and memory, e.g. `r4.large-2C-15.25GB`.
 */
export const INSTANCE_LABEL_PATTERN =
  /^([a-z][a-z0-9-]*\.[a-z0-9-]+?)-([1-9]\d*)C-(\d+(?:\.\d+)?)GB$/;
const INSTANCE_CHOICE_PATTERN = /^[A-Za-z0-9][-A-Za-z0-9.]{0,63}$/;
/** One item of `ComputeInstanceTypes`: an EC2 instance type, or an instance label. */
const INSTANCE_TYPE_ITEM = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
/** A price in USD: whole dollars, then up to five decimals. */
export const PRICE_PATTERN = /^(0|[1-9]\d*)(\.\d{1,5})?$/;
/** EC2 refuses a set spot `MaxPrice` at or below this; 0 means on-demand instead. */
export const MIN_SPOT_PRICE = 0.001;

/** The EC2 instance type inside an instance label, or `undefined` if it is not a label. */
export function instanceTypeOfLabel(label: string): string | undefined {
  return INSTANCE_LABEL_PATTERN.exec(label)?.[1];
}

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

const fieldCodecs = {
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

const reserved: ReadonlySet<string> = new Set(RESERVED_PARAMETERS);

const KnownFields = closedObject(t.partial(fieldCodecs), CLUSTER_CONFIG_FIELDS, (key) =>
  reserved.has(key)
    ? `${key} is set by FlightDeck itself and cannot be changed in a cluster config.`
    : `${previewValue(key)} is not a cluster setting. Allowed settings: ${CLUSTER_CONFIG_FIELDS.join(", ")}.`,
);

/** A decoded cluster config: every field optional, every value the string CloudFormation takes. */
export type ClusterConfig = t.TypeOf<typeof KnownFields>;

/**
 * The config's one cross-field rule: a cluster never starts with more compute
 * nodes than it may ever have. The codec applies it to a config alone, the
 * merge to the values in effect once defaults are in. Returns the refusal.
 */
export function nodeCountProblem(
  initial: string | undefined,
  max: string | undefined,
): string | undefined {
  return initial !== undefined && max !== undefined && Number(initial) > Number(max)
    ? `ComputeInitialNodes (${initial}) must not be larger than ComputeMaxNodes (${max}).`
    : undefined;
}

/**
 * The `.cf-create` codec: an object with only the allowed keys, each valid,
 * and `ComputeInitialNodes` no larger than `ComputeMaxNodes` when both are given.
 * Unknown and reserved keys are refused, never dropped.
 */
export const ClusterConfigCodec = new t.Type<ClusterConfig, ClusterConfig, unknown>(
  "ClusterConfig",
  (u): u is ClusterConfig => KnownFields.is(u),
  (u, c) => {
    if (typeof u !== "object" || u === null || Array.isArray(u)) {
      return t.failure(
        u,
        c,
        'The config must be a JSON object of settings, such as {"ComputeMaxNodes": "4"}.',
      );
    }
    const decoded = KnownFields.validate(u, c);
    if (decoded._tag === "Left") return decoded;
    const { ComputeInitialNodes: initial, ComputeMaxNodes: max } = decoded.right;
    const problem = nodeCountProblem(initial, max);
    return problem === undefined ? decoded : t.failure(initial, c, problem);
  },
  (a) => a,
);

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads the raw bytes of a `.cf-create` file into a {@link ClusterConfig}.
 * An empty file means "all defaults". Oversized, non-UTF-8, non-JSON and
 * non-object files are refused with one clear sentence each.
 *
 * @example
 * parseClusterConfig(new TextEncoder().encode('{"ComputeMaxNodes": 25}'))
 * // => right({ ComputeMaxNodes: "25" })
 */
export function parseClusterConfig(bytes: Uint8Array): Either<string[], ClusterConfig> {
  if (bytes.byteLength > MAX_CONFIG_BYTES) {
    return left([
      `The config file is ${bytes.byteLength} bytes; the limit is ${MAX_CONFIG_BYTES} bytes (16 KiB).`,
    ]);
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return left(["The config file is not UTF-8 text."]);
  }
  if (text.trim() === "") return decodeConfig({});
  const json = text.replace(/^\uFEFF/, "");
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return left([`The config file is not valid JSON: ${detail}.`]);
  }
  const problem = findStructureProblem(json, MAX_CONFIG_DEPTH);
  if (problem?.kind === "too-deep") {
    return left([
      "The config nests values too deeply; a cluster config is one flat object of settings.",
    ]);
  }
  if (problem?.kind === "duplicate-key") {
    const where = problem.path.length === 0 ? "" : ` (in ${problem.path.join(".")})`;
    return left([
      `The config gives ${JSON.stringify(problem.key)} more than once${where}; give each setting once.`,
    ]);
  }
  return decodeConfig(value);
}

/** Decodes an already-parsed JSON value with {@link ClusterConfigCodec}. */
export function decodeConfig(json: unknown): Either<string[], ClusterConfig> {
  return decodeReadably(ClusterConfigCodec, json);
}
