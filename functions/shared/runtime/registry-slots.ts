import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { ClusterSlot, RegistryRecord, SlotLimits, SlotMatch } from "../cluster-registry.js";
import { quotaRefusal, slotMatches } from "../cluster-registry.js";
import type { ClusterName, UserId } from "../identifiers.js";
import { N, S, slotAttribute } from "./registry-item.js";
import type { ConditionalUpdate, RegistryTable } from "./registry-table.js";

/*
 * The quota's slots in the registry's table: taking one, noting its stack,
 * freeing it, and noting it was seen alive. Taking a slot is one write that
 * succeeds only while the user is under their limits, so however many
 * invocations race, DynamoDB lets exactly as many through as there is room for.
 */

/** A claim on a slot: its weight, the request taking it, and when. */
export interface SlotClaim {
  readonly vcpus: number;
  readonly token: string;
  readonly nowMs: number;
  /** When the cluster expires. */
  readonly expiresAt?: number | undefined;
}

/** What asking for a slot found. */
export type Acquisition =
  | { readonly kind: "acquired" }
  /** This request already holds the slot: a retried event of the same upload. */
  | { readonly kind: "held" }
  /** Another request's slot holds the name: a racing upload, or a stack not yet done with. */
  | { readonly kind: "taken"; readonly slot: ClusterSlot }
  /** No room; the record shows who holds the slots. */
  | { readonly kind: "full"; readonly record: RegistryRecord };

/** How often a claim is written again after finding room it had not (no item yet, a slot freed). */
const ACQUIRE_ATTEMPTS = 3;

/** The write that takes the slot: only while the name is free and the limits leave room. */
function claimWrite(cluster: ClusterName, claim: SlotClaim, limits: SlotLimits): ConditionalUpdate {
  const values: Record<string, AttributeValue> = {
    ":slot": slotAttribute(claim),
    ":v": N(claim.vcpus),
  };
  const conditions = ["attribute_exists(#cl)", "attribute_not_exists(#cl.#c)"];
  if (limits.maxClusters !== undefined) {
    conditions.push("size(#cl) < :maxClusters");
    values[":maxClusters"] = N(limits.maxClusters);
  }
  if (limits.maxVcpus !== undefined) {
    // vcpus + v <= max, written so DynamoDB can compare a stored number.
    conditions.push("#vc <= :room");
    values[":room"] = N(limits.maxVcpus - claim.vcpus);
  }
  return {
    update: "SET #cl.#c = :slot ADD #vc :v",
    condition: conditions.join(" AND "),
    names: { "#cl": "clusters", "#c": cluster, "#vc": "vcpus" },
    values,
  };
}

/** Creates the user's item, empty, unless they have one. */
const ensureItem = (table: RegistryTable, user: UserId) =>
  table.update(user, {
    update: "SET #cl = if_not_exists(#cl, :none), #vc = if_not_exists(#vc, :zero)",
    names: { "#cl": "clusters", "#vc": "vcpus" },
    values: { ":none": { M: {} }, ":zero": N(0) },
  });

/**
 * Takes a slot for the cluster if the user's limits leave room. When the
 * write's condition fails, the record read after it says why: the name's
 * slot (this request's, or another's), no room, or room after all (no item
 * yet, or a slot freed meanwhile), when the write is tried again.
 */
export async function acquireSlot(
  table: RegistryTable,
  user: UserId,
  cluster: ClusterName,
  claim: SlotClaim,
  limits: SlotLimits,
): Promise<Acquisition> {
  const write = claimWrite(cluster, claim, limits);
  for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt += 1) {
    if (await table.update(user, write)) return { kind: "acquired" };
    const record = await table.record(user);
    const slot = record.clusters.get(cluster);
    if (slot !== undefined)
      return slot.token === claim.token ? { kind: "held" } : { kind: "taken", slot };
    if (quotaRefusal(cluster, claim.vcpus, limits, record).length > 0)
      return { kind: "full", record };
    await ensureItem(table, user);
  }
  return { kind: "full", record: await table.record(user) };
}

/** Notes the slot's stack, only in the slot `token` took and only if it names no other stack. */
export function recordStack(
  table: RegistryTable,
  user: UserId,
  cluster: ClusterName,
  token: string,
  stackId: string,
): Promise<boolean> {
  return table.update(user, {
    update: "SET #cl.#c.#id = :id",
    condition: "#cl.#c.#tok = :tok AND (attribute_not_exists(#cl.#c.#id) OR #cl.#c.#id = :id)",
    names: { "#cl": "clusters", "#c": cluster, "#id": "stackId", "#tok": "token" },
    values: { ":id": S(stackId), ":tok": S(token) },
  });
}

/**
 * Frees the slot if `match` names it as read (`read`, else as read now),
 * and only while it is still that slot: taken at that moment by that request.
 */
export async function releaseSlot(
  table: RegistryTable,
  user: UserId,
  cluster: ClusterName,
  match: SlotMatch,
  read?: ClusterSlot,
): Promise<boolean> {
  const slot = read ?? (await table.record(user)).clusters.get(cluster);
  if (slot === undefined || !slotMatches(slot, match)) return false;
  return table.update(user, {
    update: "REMOVE #cl.#c SET #vc = #vc - :v",
    condition: "#cl.#c.#at = :at AND #cl.#c.#tok = :tok",
    names: {
      "#cl": "clusters",
      "#c": cluster,
      "#vc": "vcpus",
      "#at": "acquiredAt",
      "#tok": "token",
    },
    values: { ":v": N(slot.vcpus), ":at": N(slot.acquiredAt), ":tok": S(slot.token) },
  });
}

/** Notes that these slots' stacks were seen alive at `nowMs`; a slot not held is skipped. */
export async function markChecked(
  table: RegistryTable,
  user: UserId,
  clusters: readonly ClusterName[],
  nowMs: number,
): Promise<void> {
  for (const cluster of clusters) {
    await table.update(user, {
      update: "SET #cl.#c.#ck = :now",
      condition: "attribute_exists(#cl.#c)",
      names: { "#cl": "clusters", "#c": cluster, "#ck": "checkedAt" },
      values: { ":now": N(nowMs) },
    });
  }
}
