import { left, type Either } from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { FIELD_CODECS } from "./config-field-codecs.js";
import { CLUSTER_CONFIG_FIELDS, RESERVED_PARAMETERS } from "./config-fields.js";
import { findStructureProblem } from "./json-structure.js";
import { closedObject, decodeReadably, previewValue } from "./readable-errors.js";

/** The largest `.cf-create` file FlightDeck reads. Anything bigger is refused unread. */
export const MAX_CONFIG_BYTES = 16 * 1024;

/**
 * The deepest a config's values may nest. A config is one flat object of
 * settings, so anything near this is a mistake, or an attempt to make the
 * error formatter recurse until the stack overflows.
 */
const MAX_CONFIG_DEPTH = 32;

const reserved: ReadonlySet<string> = new Set(RESERVED_PARAMETERS);

const KnownFields = closedObject(t.partial(FIELD_CODECS), CLUSTER_CONFIG_FIELDS, (key) =>
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
