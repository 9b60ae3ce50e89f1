import { expect } from "chai";
import {
  decodeInstances,
  encodeInstances,
  fillDiskSizes,
  mergeInstances,
  type ObservedInstance,
} from "../../../functions/shared/usage-record.js";
import type { InstanceUse } from "../../../functions/shared/spend.js";

/*
 * The record of a cluster's instances between sweeps: EC2 shows an ended
 * instance for about an hour, so what a sweep sees is kept, and what EC2
 * shows now always wins.
 */

const seen = (extra: Partial<ObservedInstance>): ObservedInstance => ({
  id: "i-1",
  type: "c7i.large",
  zone: "eu-west-2a",
  market: "spot",
  launchedAt: 1000,
  state: "running",
  ...extra,
});
const known = (extra: Partial<InstanceUse>): InstanceUse => ({
  id: "i-1",
  type: "c7i.large",
  zone: "eu-west-2a",
  market: "spot",
  launchedAt: 1000,
  diskGiB: 16,
  ...extra,
});

describe("the record of a cluster's instances", () => {
  it("adds what EC2 shows, with EC2's own end time for an ended instance", () => {
    const merged = mergeInstances(
      [],
      [seen({ state: "terminated", endedAt: 5000 }), seen({ id: "i-2" })],
      9000,
    );
    expect(merged.map((u) => [u.id, u.endedAt])).to.deep.equal([
      ["i-1", 5000],
      ["i-2", undefined],
    ]);
  });

  it("ends an instance when EC2 first shows it ended without a time, and keeps that end", () => {
    const first = mergeInstances([known({})], [seen({ state: "shutting-down" })], 7000);
    expect(first[0]?.endedAt).to.equal(7000);
    const later = mergeInstances(first, [seen({ state: "terminated" })], 9000);
    expect(later[0]?.endedAt).to.equal(7000);
  });

  it("charges an instance EC2 no longer shows up to now, and reopens it when EC2 shows it running again", () => {
    const vanished = mergeInstances([known({})], [], 8000);
    expect(vanished[0]?.endedAt).to.equal(8000);
    expect(mergeInstances(vanished, [seen({})], 9000)[0]?.endedAt).to.equal(undefined);
  });

  it("keeps a known disk size, and gives an unsized instance its type's", () => {
    expect(mergeInstances([known({ diskGiB: 30 })], [seen({})], 1)[0]?.diskGiB).to.equal(30);
    const filled = fillDiskSizes([
      known({ diskGiB: 16 }),
      known({ id: "i-2", diskGiB: 0 }),
      known({ id: "i-3", type: "x", diskGiB: 0 }),
    ]);
    expect(filled.map((u) => u.diskGiB)).to.deep.equal([16, 16, 0]);
  });

  it("reads its own encoding back, and drops what it cannot read", () => {
    const uses = [known({}), known({ id: "i-2", endedAt: 4000, market: "on-demand" })];
    expect(decodeInstances(encodeInstances(uses))).to.deep.equal(uses);
    expect(decodeInstances(`[{"id": 1}, ${JSON.stringify(uses[0])}]`)).to.deep.equal([uses[0]]);
    expect(decodeInstances("not json")).to.deep.equal([]);
  });
});
