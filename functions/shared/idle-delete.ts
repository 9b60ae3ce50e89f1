/*
 * The `.cf-delete` an idle master writes: `{"reason": "idle", "minutes": N}`
 * (template/boot/flightdeck-idle.py). The body is untrusted (the owner has
 * sudo on the master, and may write the file themselves): it decides
 * nothing but the reason `.cf-deleted` gives.
 */

/** The most of a `.cf-delete` FlightDeck reads. */
export const MAX_DELETE_BYTES = 512;

/** The longest IdleDeleteMinutes the template accepts: a week. */
const MAX_IDLE_MINUTES = 10080;

/**
 * Whether a `.cf-delete` body is an idle master's request, and the reason
 * `.cf-deleted` then gives; `undefined` for anything else (an empty file, a
 * user's text, malformed JSON), which is a plain delete.
 *
 * @example
 * idleDeleteOf('{"reason":"idle","minutes":30}') // => { minutes: 30, reason: "it was idle for 30 minutes" }
 */
export function idleDeleteOf(
  body: string,
): { readonly minutes: number; readonly reason: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const { reason, minutes } = parsed as Record<string, unknown>;
  if (reason !== "idle" || typeof minutes !== "number" || !Number.isInteger(minutes))
    return undefined;
  if (minutes < 1 || minutes > MAX_IDLE_MINUTES) return undefined;
  return {
    minutes,
    reason: `it was idle for ${minutes} minute${minutes === 1 ? "" : "s"} (no jobs and nobody logged in)`,
  };
}
