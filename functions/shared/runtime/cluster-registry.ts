import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ClusterSlot, RegistryRecord, SlotLimits, SlotMatch } from "../cluster-registry.js";
import type { ClusterName, UserId } from "../identifiers.js";
import { admit, type Admission } from "./registry-admission.js";
import { extendExpiry, markEnding, markWarned, type Extension } from "./registry-lifetimes.js";
import {
  acquireSlot,
  markChecked,
  recordStack,
  releaseSlot,
  type Acquisition,
  type SlotClaim,
} from "./registry-slots.js";
import { RegistryTable } from "./registry-table.js";

/*
 * The cluster registry: one DynamoDB item per user of the slots their
 * clusters hold and their request count (the item's codec is
 * registry-item.ts), changed only by single-item conditional writes. The
 * writes live by concern: the quota's slots (registry-slots.ts), lifetimes
 * (registry-lifetimes.ts) and the request rate (registry-admission.ts).
 */

export { recordOfItem } from "./registry-item.js";
export type { Acquisition, Admission, Extension, SlotClaim };

/**
 * The registry as both handlers use it. Every method may be repeated safely.
 * Names are taken validated ({@link UserId}, {@link ClusterName}); what is
 * read back is as stored (`RegistryRecord`'s cluster names, `allRecords`'
 * users), for the reader to validate before acting on it.
 */
export interface ClusterRegistry {
  /** Counts a request against the user's per-minute limit; refuses it once the limit is reached. */
  admit(user: UserId, nowMs: number, perMinute: number): Promise<Admission>;
  /**
   * Takes a slot for the cluster if the user's limits leave room. Only the
   * request whose token took a slot holds it: any other finds it `taken`.
   */
  acquire(
    user: UserId,
    cluster: ClusterName,
    claim: SlotClaim,
    limits: SlotLimits,
  ): Promise<Acquisition>;
  /**
   * Notes the stack a slot's create started, only in the slot the request
   * with `token` took; `false` when that slot is not there (or names another stack).
   */
  recordStack(user: UserId, cluster: ClusterName, token: string, stackId: string): Promise<boolean>;
  /**
   * Frees the cluster's slot if `match` names it ({@link slotMatches}: by its
   * stack's id once recorded, else by the create token that took it);
   * `false` when it does not. `read`: the slot as the caller just read it,
   * which `match` is held against and which then frees only if it is still
   * the slot of that moment and request (one read fewer).
   */
  release(
    user: UserId,
    cluster: ClusterName,
    match: SlotMatch,
    read?: ClusterSlot,
  ): Promise<boolean>;
  /** Notes that these slots' stacks were seen alive. */
  markChecked(user: UserId, clusters: readonly ClusterName[], nowMs: number): Promise<void>;
  /** The user's record as it is now. */
  record(user: UserId): Promise<RegistryRecord>;
  /**
   * Every user's record, users as stored: the lifetime sweep reads the
   * registry, never the account's stacks. A user who only sent requests
   * has a record, with no clusters.
   */
  allRecords(): Promise<Array<{ readonly user: string; readonly record: RegistryRecord }>>;
  /** Notes that the owner was warned of this expiry; `false` when they already were. */
  markWarned(user: UserId, cluster: ClusterName, expiresAt: number): Promise<boolean>;
  /** Notes why FlightDeck itself ends the cluster. */
  markEnding(user: UserId, cluster: ClusterName, reason: string): Promise<void>;
  /** Moves the expiry, once per upload and only from the expiry read; `false` when it did not. */
  extend(user: UserId, cluster: ClusterName, extension: Extension): Promise<boolean>;
}

/** The registry over a DynamoDB table (the client loads on first use). */
export class DynamoClusterRegistry implements ClusterRegistry {
  private readonly table: RegistryTable;

  constructor(table: string, region: string, injected?: DynamoDBClient) {
    this.table = new RegistryTable(table, region, injected);
  }

  admit(user: UserId, nowMs: number, perMinute: number): Promise<Admission> {
    return admit(this.table, user, nowMs, perMinute);
  }

  acquire(
    user: UserId,
    cluster: ClusterName,
    claim: SlotClaim,
    limits: SlotLimits,
  ): Promise<Acquisition> {
    return acquireSlot(this.table, user, cluster, claim, limits);
  }

  recordStack(
    user: UserId,
    cluster: ClusterName,
    token: string,
    stackId: string,
  ): Promise<boolean> {
    return recordStack(this.table, user, cluster, token, stackId);
  }

  release(
    user: UserId,
    cluster: ClusterName,
    match: SlotMatch,
    read?: ClusterSlot,
  ): Promise<boolean> {
    return releaseSlot(this.table, user, cluster, match, read);
  }

  markChecked(user: UserId, clusters: readonly ClusterName[], nowMs: number): Promise<void> {
    return markChecked(this.table, user, clusters, nowMs);
  }

  record(user: UserId): Promise<RegistryRecord> {
    return this.table.record(user);
  }

  allRecords(): Promise<Array<{ readonly user: string; readonly record: RegistryRecord }>> {
    return this.table.allRecords();
  }

  markWarned(user: UserId, cluster: ClusterName, expiresAt: number): Promise<boolean> {
    return markWarned(this.table, user, cluster, expiresAt);
  }

  markEnding(user: UserId, cluster: ClusterName, reason: string): Promise<void> {
    return markEnding(this.table, user, cluster, reason);
  }

  extend(user: UserId, cluster: ClusterName, extension: Extension): Promise<boolean> {
    return extendExpiry(this.table, user, cluster, extension);
  }
}
