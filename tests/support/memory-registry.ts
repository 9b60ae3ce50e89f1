import {
  quotaRefusal,
  rateWindowOf,
  slotMatches,
  type ClusterSlot,
  type RegistryRecord,
  type SlotLimits,
  type SlotMatch,
} from "../../functions/shared/cluster-registry.js";
import type { ClusterName, UserId } from "../../functions/shared/identifiers.js";
import type {
  Acquisition,
  Admission,
  ClusterRegistry,
  Extension,
  SlotClaim,
} from "../../functions/shared/runtime/cluster-registry.js";

/**
 * The registry in memory, for handler tests: the same answers as the
 * DynamoDB one, without a server. Both pass one contract
 * (tests/functions/shared/runtime/registry-contract.ts). A user is listed
 * once a write was made for them (a slot taken, a request counted), as
 * DynamoDB keeps an item; reads and refused writes list no one. No method
 * awaits between its check and its write, so, as with DynamoDB's one
 * conditional write, racing calls cannot both pass a check.
 */
export class MemoryRegistry implements ClusterRegistry {
  /** Each listed user's slots by cluster name; tests may set a user's slots directly. */
  readonly slots = new Map<string, Map<string, ClusterSlot>>();
  private readonly rates = new Map<string, { window: number; count: number }>();

  /** The user's slots, listing the user: for writes only. */
  private written(user: string): Map<string, ClusterSlot> {
    const slots = this.slots.get(user) ?? new Map<string, ClusterSlot>();
    this.slots.set(user, slots);
    return slots;
  }

  private slotOf(user: string, cluster: string): ClusterSlot | undefined {
    return this.slots.get(user)?.get(cluster);
  }

  /** Replaces a slot that is held; `false` (and nothing written) when it is not. */
  private change(user: string, cluster: string, to: (slot: ClusterSlot) => ClusterSlot): boolean {
    const slot = this.slotOf(user, cluster);
    if (slot === undefined) return false;
    this.written(user).set(cluster, to(slot));
    return true;
  }

  private recordNow(user: string): RegistryRecord {
    const clusters = new Map(this.slots.get(user));
    return { clusters, vcpus: [...clusters.values()].reduce((sum, slot) => sum + slot.vcpus, 0) };
  }

  async admit(user: UserId, nowMs: number, perMinute: number): Promise<Admission> {
    this.written(user);
    const window = rateWindowOf(nowMs);
    const rate = this.rates.get(user);
    if (rate === undefined || rate.window < window) {
      this.rates.set(user, { window, count: 1 });
      return { admitted: true };
    }
    if (rate.count >= perMinute) return { admitted: false };
    rate.count += 1;
    return { admitted: true };
  }

  async acquire(
    user: UserId,
    cluster: ClusterName,
    claim: SlotClaim,
    limits: SlotLimits,
  ): Promise<Acquisition> {
    const record = this.recordNow(user);
    const slot = record.clusters.get(cluster);
    if (slot !== undefined)
      return slot.token === claim.token ? { kind: "held" } : { kind: "taken", slot };
    if (quotaRefusal(cluster, claim.vcpus, limits, record).length > 0)
      return { kind: "full", record };
    this.written(user).set(cluster, {
      acquiredAt: claim.nowMs,
      vcpus: claim.vcpus,
      token: claim.token,
      expiresAt: claim.expiresAt,
    });
    return { kind: "acquired" };
  }

  async recordStack(
    user: UserId,
    cluster: ClusterName,
    token: string,
    stackId: string,
  ): Promise<boolean> {
    const slot = this.slotOf(user, cluster);
    if (slot === undefined || slot.token !== token) return false;
    if (slot.stackId !== undefined && slot.stackId !== stackId) return false;
    return this.change(user, cluster, (held) => ({ ...held, stackId }));
  }

  async release(
    user: UserId,
    cluster: ClusterName,
    match: SlotMatch,
    read?: ClusterSlot,
  ): Promise<boolean> {
    // As DynamoDB's: `match` names the slot as read, which frees only while it is
    // the slot taken at that moment by that request.
    const held = this.slotOf(user, cluster);
    const slot = read ?? held;
    if (held === undefined || slot === undefined || !slotMatches(slot, match)) return false;
    if (slot.acquiredAt !== held.acquiredAt || slot.token !== held.token) return false;
    return this.written(user).delete(cluster);
  }

  async markChecked(user: UserId, clusters: readonly ClusterName[], nowMs: number): Promise<void> {
    for (const cluster of clusters) this.change(user, cluster, (s) => ({ ...s, checkedAt: nowMs }));
  }

  async record(user: UserId): Promise<RegistryRecord> {
    return this.recordNow(user);
  }

  async allRecords(): Promise<Array<{ readonly user: string; readonly record: RegistryRecord }>> {
    return [...this.slots.keys()].map((user) => ({ user, record: this.recordNow(user) }));
  }

  async markWarned(user: UserId, cluster: ClusterName, expiresAt: number): Promise<boolean> {
    if (this.slotOf(user, cluster)?.warnedFor === expiresAt) return false;
    return this.change(user, cluster, (slot) => ({ ...slot, warnedFor: expiresAt }));
  }

  async markEnding(user: UserId, cluster: ClusterName, reason: string): Promise<void> {
    this.change(user, cluster, (slot) => ({ ...slot, endReason: reason }));
  }

  async extend(user: UserId, cluster: ClusterName, extension: Extension): Promise<boolean> {
    const slot = this.slotOf(user, cluster);
    if (
      slot === undefined ||
      slot.token !== extension.token ||
      slot.expiresAt !== extension.from ||
      slot.extendedBy === extension.requestId
    )
      return false;
    return this.change(user, cluster, (held) => ({
      ...held,
      expiresAt: extension.to,
      extendedBy: extension.requestId,
    }));
  }
}
