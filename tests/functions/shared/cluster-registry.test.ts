import { expect } from "chai";
import {
  quotaRefusal,
  rateWindowOf,
  SLOT_GRACE_MS,
  slotsToCheck,
  type ClusterSlot,
  type RegistryRecord,
} from "../../../functions/shared/cluster-registry.js";
import type { ClusterName } from "../../../functions/shared/identifiers.js";

const slot = (
  acquiredAt: number,
  vcpus: number,
  extra: Partial<ClusterSlot> = {},
): ClusterSlot => ({
  acquiredAt,
  vcpus,
  token: `t${acquiredAt}`,
  ...extra,
});
const record = (entries: Array<[string, ClusterSlot]>): RegistryRecord => ({
  clusters: new Map(entries),
  vcpus: entries.reduce((sum, [, s]) => sum + s.vcpus, 0),
});
const c3 = "c3" as ClusterName;

describe("cluster registry decisions", () => {
  const full = record([
    ["c2", slot(2, 10)],
    ["c1", slot(1, 26)],
  ]);

  it("names the holders, oldest first, and the limit when the clusters are all taken", () => {
    expect(quotaRefusal(c3, 4, { maxClusters: 2 }, full)).to.deep.equal([
      "You already have 2 clusters (c1, c2) and your limit is 2 clusters; delete one first (upload its .cf-delete), then upload c3.cf-create again.",
    ]);
  });

  it("names each holder's vCPUs when the sum would pass maxVcpus", () => {
    expect(quotaRefusal(c3, 30, { maxVcpus: 64 }, full)).to.deep.equal([
      "Cluster c3 may use up to 30 vCPUs, but your clusters c1 (26), c2 (10) already hold 36 of your limit of 64 vCPUs; delete one or ask for fewer nodes, then upload c3.cf-create again.",
    ]);
    expect(quotaRefusal(c3, 28, { maxVcpus: 64 }, full)).to.deep.equal([]);
  });

  it("never refuses a cluster that already holds its slot", () => {
    expect(
      quotaRefusal("c1" as ClusterName, 99, { maxClusters: 1, maxVcpus: 1 }, full),
    ).to.deep.equal([]);
  });

  it("checks only other slots past the grace period and not seen alive within it", () => {
    const now = 10 * SLOT_GRACE_MS;
    const r = record([
      ["young", slot(now - 1000, 1)],
      ["old", slot(0, 1)],
      ["seen", slot(0, 1, { checkedAt: now - 1000 })],
      ["c3", slot(0, 1)],
    ]);
    expect(slotsToCheck(r, c3, now).map(([name]) => name)).to.deep.equal(["old"]);
  });

  it("checks a slot from the very end of its grace period, not a moment sooner", () => {
    const acquired = 5_000;
    const r = record([["old", slot(acquired, 1)]]);
    expect(slotsToCheck(r, c3, acquired + SLOT_GRACE_MS - 1)).to.deep.equal([]);
    expect(slotsToCheck(r, c3, acquired + SLOT_GRACE_MS).map(([name]) => name)).to.deep.equal([
      "old",
    ]);
    const seen = record([["old", slot(0, 1, { checkedAt: acquired })]]);
    expect(slotsToCheck(seen, c3, acquired + SLOT_GRACE_MS - 1)).to.deep.equal([]);
    expect(slotsToCheck(seen, c3, acquired + SLOT_GRACE_MS)).to.have.length(1);
  });

  it("speaks of one cluster and one vCPU in the singular", () => {
    const one = record([["c1", slot(1, 1)]]);
    expect(quotaRefusal(c3, 1, { maxClusters: 1, maxVcpus: 1 }, one)).to.deep.equal([
      "You already have 1 cluster (c1) and your limit is 1 cluster; delete one first (upload its .cf-delete), then upload c3.cf-create again.",
      "Cluster c3 may use up to 1 vCPU, but your clusters c1 (1) already hold 1 of your limit of 1 vCPU; delete one or ask for fewer nodes, then upload c3.cf-create again.",
    ]);
  });

  it("counts requests in whole minutes", () => {
    expect(rateWindowOf(59_999)).to.equal(0);
    expect(rateWindowOf(60_000)).to.equal(1);
  });
});
