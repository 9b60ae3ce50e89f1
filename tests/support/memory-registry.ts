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
 * DynamoDB one (tests/functions/shared/runtime/cluster-registry.test.ts runs
 * that against dynalite), without a server.
 */
export class MemoryRegistry implements ClusterRegistry {
  readonly slots = new Map<string, Map<string, ClusterSlot>>();
  private readonly rates = new Map<string, { window: number; count: number }>();

  private of(user: string): Map<string, ClusterSlot> {
    const slots = this.slots.get(user) ?? new Map<string, ClusterSlot>();
    this.slots.set(user, slots);
    return slots;
  }

  async admit(user: UserId, nowMs: number, perMinute: number): Promise<Admission> {
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
    // No await before the write: like DynamoDB's one conditional write, a check and its
    // write are one step, so racing claims cannot both pass the check.
    const record = this.recordNow(user);
    const slot = record.clusters.get(cluster);
    if (slot !== undefined)
      return slot.token === claim.token ? { kind: "held" } : { kind: "taken", slot };
    if (quotaRefusal(cluster, claim.vcpus, limits, record).length > 0)
      return { kind: "full", record };
    this.of(user).set(cluster, {
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
    const slot = this.of(user).get(cluster);
    if (slot === undefined || slot.token !== token) return false;
    if (slot.stackId !== undefined && slot.stackId !== stackId) return false;
    this.of(user).set(cluster, { ...slot, stackId });
    return true;
  }

  async release(
    user: UserId,
    cluster: string,
    match: SlotMatch,
    read?: ClusterSlot,
  ): Promise<boolean> {
    const slot = this.of(user).get(cluster);
    if (slot === undefined || !slotMatches(slot, match)) return false;
    // As DynamoDB's conditional write: only the slot as read, taken at that moment by that request.
    if (read !== undefined && (read.acquiredAt !== slot.acquiredAt || read.token !== slot.token))
      return false;
    return this.of(user).delete(cluster);
  }

  async markChecked(user: UserId, clusters: readonly string[], nowMs: number): Promise<void> {
    for (const cluster of clusters) {
      const slot = this.of(user).get(cluster);
      if (slot !== undefined) this.of(user).set(cluster, { ...slot, checkedAt: nowMs });
    }
  }

  async record(user: UserId): Promise<RegistryRecord> {
    return this.recordNow(user);
  }

  private recordNow(user: string): RegistryRecord {
    const clusters = new Map(this.of(user));
    return { clusters, vcpus: [...clusters.values()].reduce((sum, slot) => sum + slot.vcpus, 0) };
  }

  async allRecords(): Promise<Array<{ readonly user: string; readonly record: RegistryRecord }>> {
    return Promise.all(
      [...this.slots.keys()].map(async (user) => ({
        user,
        record: await this.record(user as UserId),
      })),
    );
  }

  async markWarned(user: UserId, cluster: string, expiresAt: number): Promise<boolean> {
    const slot = this.of(user).get(cluster);
    if (slot === undefined || slot.warnedFor === expiresAt) return false;
    this.of(user).set(cluster, { ...slot, warnedFor: expiresAt });
    return true;
  }

  async markEnding(user: UserId, cluster: string, reason: string): Promise<void> {
    const slot = this.of(user).get(cluster);
    if (slot !== undefined) this.of(user).set(cluster, { ...slot, endReason: reason });
  }

  async extend(user: UserId, cluster: string, extension: Extension): Promise<boolean> {
    const slot = this.of(user).get(cluster);
    if (
      slot === undefined ||
      slot.token !== extension.token ||
      slot.expiresAt !== extension.from ||
      slot.extendedBy === extension.requestId
    )
      return false;
    this.of(user).set(cluster, {
      ...slot,
      expiresAt: extension.to,
      extendedBy: extension.requestId,
    });
    return true;
  }
}
