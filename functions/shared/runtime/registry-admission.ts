import { rateWindowOf } from "../cluster-registry.js";
import type { UserId } from "../identifiers.js";
import { N } from "./registry-item.js";
import type { RegistryTable } from "./registry-table.js";

/*
 * The request-rate count in the registry's table: the user's item holds the
 * current window (whole minutes since the epoch) and how many requests it
 * has admitted, so racing requests are counted by conditional writes.
 */

/** Whether a request may go on under the user's request-rate limit. */
export type Admission = { readonly admitted: true } | { readonly admitted: false };

/**
 * Counts a request at `nowMs` against `perMinute`. The first request of a
 * window opens it (and creates the user's item, empty, if it is their
 * first); the others count on while under the limit. A request from an
 * earlier window than the one stored counts against the stored one.
 */
export async function admit(
  table: RegistryTable,
  user: UserId,
  nowMs: number,
  perMinute: number,
): Promise<Admission> {
  const window = N(rateWindowOf(nowMs));
  const opened = await table.update(user, {
    update:
      "SET #rw = :w, #rc = :one, #cl = if_not_exists(#cl, :none), #vc = if_not_exists(#vc, :zero)",
    condition: "attribute_not_exists(#rw) OR #rw < :w",
    names: { "#rw": "rateWindow", "#rc": "rateCount", "#cl": "clusters", "#vc": "vcpus" },
    values: { ":w": window, ":one": N(1), ":none": { M: {} }, ":zero": N(0) },
  });
  if (opened) return { admitted: true };
  const counted = await table.update(user, {
    update: "SET #rc = #rc + :one",
    condition: "#rw >= :w AND #rc < :limit",
    names: { "#rw": "rateWindow", "#rc": "rateCount" },
    values: { ":w": window, ":one": N(1), ":limit": N(perMinute) },
  });
  return { admitted: counted };
}
