import type { ClusterName } from "./identifiers.js";

/*
 * The cluster registry: one record per user of the clusters that hold their
 * slots, kept in DynamoDB (runtime/cluster-registry.ts) and changed only by
 * single-item conditional writes, so concurrent uploads cannot both take the
 * last slot. This module holds its pure decisions: what a record says, when a
 * slot may be checked for a lost stack, and the refusals users read.
 */

/** One cluster's claim on its user's quota. */
export interface ClusterSlot {
  /** When the slot was taken (ms since the epoch): the cluster's creation time. */
  readonly acquiredAt: number;
  /** vCPUs the cluster may run at most: master plus ComputeMaxNodes × compute. */
  readonly vcpus: number;
  /** The CreateStack ClientRequestToken of the request that took the slot. */
  readonly token: string;
  /** The stack's id, once CloudFormation has given one. */
  readonly stackId?: string | undefined;
  /** When the slot's stack was last seen alive by a quota check (ms since the epoch). */
  readonly checkedAt?: number | undefined;
  /** When the cluster expires (ms since the epoch); see cluster-lifetime.ts. */
  readonly expiresAt?: number | undefined;
  /** The expiry its owner has been warned about: one warning per expiry. */
  readonly warnedFor?: number | undefined;
  /** The last `.cf-extend` upload granted, so a retried event extends once. */
  readonly extendedBy?: string | undefined;
  /** Why FlightDeck itself is ending the cluster, for its `.cf-deleted`. */
  readonly endReason?: string | undefined;
}

/** A user's record: their slots and the vCPUs those hold in total. */
export interface RegistryRecord {
  readonly clusters: ReadonlyMap<string, ClusterSlot>;
  readonly vcpus: number;
}

/** What names a slot: the stack it holds for, or the create request that took it. */
export interface SlotMatch {
  readonly token?: string | undefined;
  readonly stackId?: string | undefined;
}

/**
 * Whether `match` names `slot`. A slot belongs to one stack: once it has
 * recorded its stack's id only that id names it, so no event of an older
 * stack of the same name (late, repeated or out of order) can free a newer
 * stack's slot; before that, only the token of the request that took it.
 */
export function slotMatches(slot: ClusterSlot, match: SlotMatch): boolean {
  return slot.stackId !== undefined
    ? match.stackId === slot.stackId
    : match.token !== undefined && match.token === slot.token;
}

/**
 * Why a request may not create `cluster` while another request's slot holds
 * the name: its stack is being deleted (or gone, its end not yet handled),
 * or its create is under way. Only the request that took a slot may create
 * its stack. `deleting`: whether the slot's stack is being deleted or gone.
 */
export function slotTakenRefusal(cluster: ClusterName, deleting: boolean): string {
  return deleting
    ? `Cluster "${cluster}" is still being deleted: FlightDeck has not finished with its last stack. Upload ${cluster}.cf-create again once ${cluster}.cf-deleted appears.`
    : `Cluster "${cluster}" is already being created by an earlier upload of ${cluster}.cf-create; its outcome will appear as ${cluster}.cf-created or ${cluster}.cf-failed. To change its size, delete it once it is up, then create it again.`;
}

/** The limits a slot is taken under; an absent one does not apply. */
export interface SlotLimits {
  readonly maxClusters?: number | undefined;
  readonly maxVcpus?: number | undefined;
}

/**
 * How old a slot must be before a refused request may check whether its
 * stack still exists. CreateStack follows the slot within one invocation
 * (60 s at most), so a younger slot may belong to a create in flight, whose
 * stack CloudFormation does not know yet; it is never taken away.
 */
export const SLOT_GRACE_MS = 10 * 60 * 1000;

/** The length of the request-rate window, in seconds. */
const RATE_WINDOW_SECONDS = 60;

/** The fixed rate window a moment falls in: whole minutes since the epoch. */
export function rateWindowOf(nowMs: number): number {
  return Math.floor(nowMs / (RATE_WINDOW_SECONDS * 1000));
}

const plural = (count: number, one: string, many = `${one}s`) =>
  `${count} ${count === 1 ? one : many}`;

/**
 * Why a slot for `cluster` (needing `vcpus`) cannot be taken, naming the
 * clusters that hold the slots and the figures; empty when the record has
 * room for it, or already holds a slot for this cluster.
 *
 * @example
 * quotaRefusal("c3", 26, { maxClusters: 2 }, record) // c1 and c2 hold the slots
 * // => ["You already have 2 clusters (c1, c2) and your limit is 2 clusters; delete one first …"]
 */
export function quotaRefusal(
  cluster: ClusterName,
  vcpus: number,
  limits: SlotLimits,
  record: RegistryRecord,
): string[] {
  if (record.clusters.has(cluster)) return [];
  const holders = [...record.clusters.entries()].sort(
    ([, a], [, b]) => a.acquiredAt - b.acquiredAt,
  );
  const reasons: string[] = [];
  const again = `then upload ${cluster}.cf-create again`;
  if (limits.maxClusters !== undefined && holders.length >= limits.maxClusters) {
    reasons.push(
      `You already have ${plural(holders.length, "cluster")} (${holders.map(([name]) => name).join(", ") || "none"}) and your limit is ${plural(limits.maxClusters, "cluster")}; delete one first (upload its .cf-delete), ${again}.`,
    );
  }
  if (limits.maxVcpus !== undefined && record.vcpus + vcpus > limits.maxVcpus) {
    const using = holders.map(([name, slot]) => `${name} (${slot.vcpus})`).join(", ");
    reasons.push(
      `Cluster ${cluster} may use up to ${plural(vcpus, "vCPU")}, but your clusters ${using} already hold ${record.vcpus} of your limit of ${plural(limits.maxVcpus, "vCPU")}; delete one or ask for fewer nodes, ${again}.`,
    );
  }
  return reasons;
}

/** Whether a slot may be checked for a stack that no longer exists: older than the grace period, and not seen alive within it. */
export function mayCheckSlot(slot: ClusterSlot, nowMs: number): boolean {
  return (
    nowMs - slot.acquiredAt >= SLOT_GRACE_MS &&
    (slot.checkedAt === undefined || nowMs - slot.checkedAt >= SLOT_GRACE_MS)
  );
}

/**
 * The slots a refused request may check for a stack that no longer exists:
 * not the cluster being asked for, and {@link mayCheckSlot}. So checking
 * costs at most one call per slot the user holds, however many stacks the
 * account has, and a flood of refused uploads checks each slot once per
 * grace period.
 */
export function slotsToCheck(
  record: RegistryRecord,
  cluster: ClusterName,
  nowMs: number,
): Array<readonly [string, ClusterSlot]> {
  return [...record.clusters.entries()].filter(
    ([name, slot]) => name !== cluster && mayCheckSlot(slot, nowMs),
  );
}

/** The refusal when a user sends more requests in a minute than their limit allows. */
export function rateRefusal(limit: number): string {
  return `You sent more than ${plural(limit, "request")} in the last minute, your limit; nothing was done. Wait a minute, then upload the file again.`;
}
