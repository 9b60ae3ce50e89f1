import { isRight } from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { expiryText, isoTime } from "./cluster-lifetime.js";
import type { ClusterName, UserId } from "./identifiers.js";
import { closedObject, decodeReadably, sentenceCodec } from "./readable-errors.js";
import { clusterFileKey, type ResultFile } from "./result-files.js";

/*
 * The files about a running cluster's lifetime. Each holds sentences for the
 * researcher, then one JSON line for scripts and the CLI. None decides the
 * cluster's state (a refused extension leaves a running cluster running),
 * and none ends in a trigger suffix.
 *
 *   <cluster>.cf-expiring   the sweep's warning, about an hour before the expiry
 *   <cluster>.cf-extended   the answer to a .cf-extend: the new expiry, or the refusal
 */

/** The machine-readable last line of `.cf-expiring` and `.cf-extended`. */
export interface LifetimeRecord {
  readonly flightdeck: "cf-expiring" | "cf-extended";
  readonly cluster: string;
  /** When the cluster expires now (ISO 8601); absent when there is no such running cluster. */
  readonly expiresAt?: string;
  /** `.cf-extended` only: whether the extension was granted, and why not. */
  readonly granted?: boolean;
  readonly reason?: string;
  /** `.cf-extended` only: the latest the cluster may ever live to (ISO 8601). */
  readonly latestExpiry?: string;
}

const contentType = "text/plain; charset=utf-8";
const iso = isoTime;

/** The sweep's warning: the cluster will be deleted at `expiresAt`. */
export function expiringFile(user: UserId, cluster: ClusterName, expiresAt: number): ResultFile {
  const record: LifetimeRecord = { flightdeck: "cf-expiring", cluster, expiresAt: iso(expiresAt) };
  return {
    key: clusterFileKey(user, cluster, "expiring"),
    contentType,
    body: [
      `Cluster "${cluster}" reaches its maximum lifetime at ${expiryText(expiresAt)} and will then be deleted.`,
      `Your home is kept; save what you need from elsewhere on the cluster (/scratch, say) before then, or ask for more time: flightdeck extend ${cluster} (or upload ${cluster}.cf-extend).`,
      "",
      JSON.stringify(record),
      "",
    ].join("\n"),
  };
}

/** The answer to a `.cf-extend`: granted with the new expiry, or refused with the reason. */
export function extendedFile(
  user: UserId,
  cluster: ClusterName,
  answer: {
    readonly granted: boolean;
    readonly expiresAt?: number | undefined;
    readonly latestExpiry?: number | undefined;
    readonly reason?: string | undefined;
  },
): ResultFile {
  const { expiresAt, latestExpiry, reason } = answer;
  const record: LifetimeRecord = {
    flightdeck: "cf-extended",
    cluster,
    granted: answer.granted,
    ...(expiresAt === undefined ? {} : { expiresAt: iso(expiresAt) }),
    ...(latestExpiry === undefined ? {} : { latestExpiry: iso(latestExpiry) }),
    ...(reason === undefined ? {} : { reason }),
  };
  const still = expiresAt === undefined ? "" : ` It still expires at ${expiryText(expiresAt)}.`;
  const first =
    answer.granted && expiresAt !== undefined
      ? `Cluster "${cluster}" now expires at ${expiryText(expiresAt)}.`
      : `Cluster "${cluster}" was not extended: ${reason ?? "refused."}${still}`;
  return {
    key: clusterFileKey(user, cluster, "extended"),
    contentType,
    body: [first, "", JSON.stringify(record), ""].join("\n"),
  };
}

const LifetimeRecordCodec = t.intersection([
  t.type({
    flightdeck: t.union([t.literal("cf-expiring"), t.literal("cf-extended")]),
    cluster: t.string,
  }),
  t.partial({ expiresAt: t.string, granted: t.boolean, reason: t.string, latestExpiry: t.string }),
]);

/** The JSON line of a lifetime file, or `undefined` when the text is not FlightDeck's. */
export function parseLifetimeBody(body: string): LifetimeRecord | undefined {
  const last = body.trimEnd().split("\n").pop() ?? "";
  try {
    const decoded = LifetimeRecordCodec.decode(JSON.parse(last));
    return isRight(decoded) ? decoded.right : undefined;
  } catch {
    return undefined;
  }
}

/** The most a `.cf-extend` is read of: it holds at most `{"hours": N}`. */
export const MAX_EXTEND_BYTES = 256;

const Hours = sentenceCodec<string>("Hours", "a whole number of hours from 1 to 8760", (input) => {
  const n = typeof input === "string" && /^\d{1,4}$/.test(input) ? Number(input) : input;
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 8760
    ? String(n)
    : undefined;
});

const ExtendRequestCodec = closedObject(t.partial({ hours: Hours }), ["hours"]);

/**
 * Reads a `.cf-extend` body: empty, or `{"hours": N}`. Anything else is
 * refused with a sentence the user can act on.
 */
export function parseExtendRequest(text: string): { hours?: number } | { problems: string[] } {
  if (text.trim() === "") return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problems: ['The .cf-extend file must be empty or JSON such as {"hours": 24}.'] };
  }
  const decoded = decodeReadably(ExtendRequestCodec, json);
  if (!isRight(decoded)) return { problems: decoded.left };
  return decoded.right.hours === undefined ? {} : { hours: Number(decoded.right.hours) };
}
