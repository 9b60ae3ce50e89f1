import type { ClusterName, UserId } from "../identifiers.js";
import { N, S } from "./registry-item.js";
import type { RegistryTable } from "./registry-table.js";

/*
 * What the registry keeps of a cluster's lifetime, on its slot: its expiry
 * (moved by extensions), the expiry its owner was warned of, and why
 * FlightDeck itself ends it. Each is one conditional write on a slot that
 * exists, so a retried event changes nothing twice.
 */

/** An extension to write: from the expiry read (if any) to the new one, for one upload. */
export interface Extension {
  /** The create token of the slot read, so a re-created cluster of the same name is not moved. */
  readonly token: string;
  readonly from: number | undefined;
  readonly to: number;
  readonly requestId: string;
}

/** Notes the warning of `expiresAt`; `false` when the slot is not held or was warned of it. */
export function markWarned(
  table: RegistryTable,
  user: UserId,
  cluster: ClusterName,
  expiresAt: number,
): Promise<boolean> {
  return table.update(user, {
    update: "SET #cl.#c.#w = :e",
    condition: "attribute_exists(#cl.#c) AND (attribute_not_exists(#cl.#c.#w) OR #cl.#c.#w <> :e)",
    names: { "#cl": "clusters", "#c": cluster, "#w": "warnedFor" },
    values: { ":e": N(expiresAt) },
  });
}

/** Notes why FlightDeck ends the cluster; nothing when its slot is not held. */
export async function markEnding(
  table: RegistryTable,
  user: UserId,
  cluster: ClusterName,
  reason: string,
): Promise<void> {
  await table.update(user, {
    update: "SET #cl.#c.#r = :r",
    condition: "attribute_exists(#cl.#c)",
    names: { "#cl": "clusters", "#c": cluster, "#r": "endReason" },
    values: { ":r": S(reason) },
  });
}

/** Moves the expiry, in the slot of the create read, from the expiry read, once per upload. */
export function extendExpiry(
  table: RegistryTable,
  user: UserId,
  cluster: ClusterName,
  extension: Extension,
): Promise<boolean> {
  const fromHolds =
    extension.from === undefined ? "attribute_not_exists(#cl.#c.#e)" : "#cl.#c.#e = :from";
  return table.update(user, {
    update: "SET #cl.#c.#e = :to, #cl.#c.#by = :rid",
    condition: `#cl.#c.#tok = :tok AND ${fromHolds} AND (attribute_not_exists(#cl.#c.#by) OR #cl.#c.#by <> :rid)`,
    names: {
      "#cl": "clusters",
      "#c": cluster,
      "#e": "expiresAt",
      "#by": "extendedBy",
      "#tok": "token",
    },
    values: {
      ":to": N(extension.to),
      ":rid": S(extension.requestId),
      ":tok": S(extension.token),
      ...(extension.from === undefined ? {} : { ":from": N(extension.from) }),
    },
  });
}
