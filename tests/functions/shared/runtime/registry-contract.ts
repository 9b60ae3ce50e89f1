import { expect } from "chai";
import type { UserId } from "../../../../functions/shared/identifiers.js";
import type { ClusterRegistry } from "../../../../functions/shared/runtime/cluster-registry.js";
import { alice, bob, c, claim, defined, STACK } from "./registry-contract-fixtures.js";
import { admissionCases, allRecordsCases, lifetimeCases } from "./registry-contract-records.js";

/*
 * What every ClusterRegistry must answer, written once and run against each
 * implementation (cluster-registry.test.ts): the DynamoDB one the handlers
 * run with, on dynalite, and the in-memory one handler tests use. So the
 * memory registry cannot drift from the real one's answers. The slots' cases
 * are here; the request rate's, the lifetimes' and the sweep's reads are in
 * registry-contract-records.ts.
 */

/**
 * Defines the contract's cases in the calling `describe`. `make` gives each
 * case the registry to test, fresh and empty (it is called in a `beforeEach`
 * after the caller's own).
 */
export function registryContract(make: () => ClusterRegistry): void {
  let registry: ClusterRegistry;
  beforeEach(() => {
    registry = make();
  });
  const given = () => registry;

  describe("slots", () => slotCases(given));
  describe("slots under the limits", () => limitCases(given));
  describe("freeing a slot", () => releaseCases(given));
  describe("a slot's stack", () => recordStackCases(given));
  describe("the request rate", () => admissionCases(given));
  describe("lifetimes", () => lifetimeCases(given));
  describe("reading every record", () => allRecordsCases(given));
}

function slotCases(given: () => ClusterRegistry): void {
  it("reads a slot back as it was claimed", async () => {
    const taken = await given().acquire(alice, c("c1"), { ...claim("t1"), expiresAt: 9 }, {});
    expect(taken.kind).to.equal("acquired");
    const record = await given().record(alice);
    expect(defined(record.clusters.get("c1"))).to.deep.equal({
      acquiredAt: 1_000_000,
      vcpus: 6,
      token: "t1",
      expiresAt: 9,
    });
    expect(record.vcpus).to.equal(6);
  });

  it("reads an empty record for a user it has never seen", async () => {
    const record = await given().record("nobody" as UserId);
    expect(record.clusters.size).to.equal(0);
    expect(record.vcpus).to.equal(0);
  });

  it("holds a slot for the request that took it only, and says who holds the slots when full", async () => {
    const limits = { maxClusters: 1 };
    expect((await given().acquire(alice, c("c1"), claim("t1"), limits)).kind).to.equal("acquired");
    // The same request again (a retried event) holds it; another request for the name does not.
    expect((await given().acquire(alice, c("c1"), claim("t1"), limits)).kind).to.equal("held");
    const other = await given().acquire(alice, c("c1"), claim("t1b", 60), limits);
    expect(other.kind).to.equal("taken");
    expect(other.kind === "taken" ? other.slot : undefined).to.deep.include({
      token: "t1",
      vcpus: 6,
    });
    const full = await given().acquire(alice, c("c2"), claim("t2"), limits);
    expect(full.kind).to.equal("full");
    expect(full.kind === "full" ? [...full.record.clusters.keys()] : []).to.deep.equal(["c1"]);
    expect((await given().record(alice)).vcpus).to.equal(6);
  });

  it("notes when a slot's stack was last seen alive, and skips a slot not held", async () => {
    await given().acquire(alice, c("c1"), claim("t1"), {});
    await given().markChecked(alice, [c("c1"), c("gone")], 42);
    const record = await given().record(alice);
    expect(record.clusters.get("c1")?.checkedAt).to.equal(42);
    expect([...record.clusters.keys()]).to.deep.equal(["c1"]);
  });
}

function limitCases(given: () => ClusterRegistry): void {
  it("lets exactly maxClusters of many racing claims through", async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        given().acquire(alice, c(`c${i}`), claim(`t${i}`), { maxClusters: 3 }),
      ),
    );
    expect(results.filter((r) => r.kind === "acquired")).to.have.length(3);
    expect(results.filter((r) => r.kind === "full")).to.have.length(9);
    const record = await given().record(alice);
    expect(record.clusters.size).to.equal(3);
    expect(record.vcpus).to.equal(18);
  });

  it("lets racing claims through only while their vCPUs fit", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        given().acquire(alice, c(`c${i}`), claim(`t${i}`, 10), { maxVcpus: 35 }),
      ),
    );
    expect(results.filter((r) => r.kind === "acquired")).to.have.length(3);
    expect((await given().record(alice)).vcpus).to.equal(30);
  });

  it("refuses a claim one vCPU over maxVcpus, and takes one that meets it exactly", async () => {
    await given().acquire(alice, c("c1"), claim("t1", 10), { maxVcpus: 16 });
    const over = await given().acquire(alice, c("c2"), claim("t2", 7), { maxVcpus: 16 });
    expect(over.kind).to.equal("full");
    expect(over.kind === "full" ? over.record.vcpus : undefined).to.equal(10);
    expect((await given().acquire(alice, c("c2"), claim("t3", 6), { maxVcpus: 16 })).kind).to.equal(
      "acquired",
    );
    // Bigger than the whole limit: refused even with nothing held.
    expect((await given().acquire(bob, c("c1"), claim("t4", 20), { maxVcpus: 16 })).kind).to.equal(
      "full",
    );
  });

  it("counts each user's limits apart", async () => {
    await given().acquire(alice, c("c1"), claim("t1"), { maxClusters: 1 });
    expect((await given().acquire(bob, c("c1"), claim("t2"), { maxClusters: 1 })).kind).to.equal(
      "acquired",
    );
  });
}

function releaseCases(given: () => ClusterRegistry): void {
  it("releases a slot once, by its stack's id once recorded, else by the token that took it", async () => {
    await given().acquire(alice, c("c1"), claim("t1"), {});
    expect(await given().release(alice, c("c1"), { stackId: STACK })).to.equal(false);
    expect(await given().recordStack(alice, c("c1"), "t1", STACK)).to.equal(true);
    // Once the slot knows its stack, the token that took it no longer frees it: an old
    // stack's event carrying an old token cannot free a newer stack's slot.
    expect(await given().release(alice, c("c1"), { token: "t1" })).to.equal(false);
    expect(await given().release(alice, c("c1"), { token: "t1", stackId: "arn:x" })).to.equal(
      false,
    );
    expect(await given().release(alice, c("c1"), { stackId: STACK })).to.equal(true);
    expect(await given().release(alice, c("c1"), { stackId: STACK })).to.equal(false);
    const record = await given().record(alice);
    expect(record.clusters.size).to.equal(0);
    expect(record.vcpus).to.equal(0);
  });

  it("leaves the slot to a stale token, and gives its vCPUs back when freed", async () => {
    await given().acquire(alice, c("c1"), claim("t1", 8), {});
    await given().acquire(alice, c("c2"), claim("t2", 4), {});
    expect(await given().release(alice, c("c1"), { token: "t0" })).to.equal(false);
    expect(await given().release(alice, c("c1"), {})).to.equal(false);
    expect(await given().release(alice, c("c9"), { token: "t1" })).to.equal(false);
    expect((await given().record(alice)).vcpus).to.equal(12);
    expect(await given().release(alice, c("c1"), { token: "t1" })).to.equal(true);
    expect((await given().record(alice)).vcpus).to.equal(4);
  });

  it("frees a slot as it was read only: not one taken again by another request since", async () => {
    await given().acquire(alice, c("c1"), claim("t1"), {});
    const read = (await given().record(alice)).clusters.get("c1");
    expect(await given().release(alice, c("c1"), { token: "t1" })).to.equal(true);
    await given().acquire(alice, c("c1"), claim("t2", 6, 2_000_000), {});
    // The slot read before belonged to another request: it is not this one.
    expect(await given().release(alice, c("c1"), { token: "t1" }, read)).to.equal(false);
    expect((await given().record(alice)).clusters.get("c1")?.token).to.equal("t2");
  });

  it("holds the match against the slot as read, so a stack recorded since does not keep it", async () => {
    // One token makes one stack: the slot read by its token is still that create's slot.
    await given().acquire(alice, c("c1"), claim("t1"), {});
    const read = (await given().record(alice)).clusters.get("c1");
    await given().recordStack(alice, c("c1"), "t1", STACK);
    expect(await given().release(alice, c("c1"), { token: "t1" }, read)).to.equal(true);
    expect((await given().record(alice)).clusters.has("c1")).to.equal(false);
  });

  it("frees nothing for a read slot the match does not name", async () => {
    await given().acquire(alice, c("c1"), claim("t1"), {});
    const read = (await given().record(alice)).clusters.get("c1");
    expect(await given().release(alice, c("c1"), { token: "t0" }, read)).to.equal(false);
    expect((await given().record(alice)).clusters.has("c1")).to.equal(true);
  });
}

function recordStackCases(given: () => ClusterRegistry): void {
  it("records a stack only in the slot of the request that made it", async () => {
    await given().acquire(alice, c("c1"), claim("t1"), {});
    expect(await given().recordStack(alice, c("c1"), "t0", "arn:stack/a")).to.equal(false);
    expect(await given().recordStack(alice, c("c1"), "t1", "arn:stack/a")).to.equal(true);
    // Again (a retried event): the same stack, yes; another, never.
    expect(await given().recordStack(alice, c("c1"), "t1", "arn:stack/a")).to.equal(true);
    expect(await given().recordStack(alice, c("c1"), "t1", "arn:stack/b")).to.equal(false);
    expect(await given().recordStack(alice, c("c9"), "t1", "arn:stack/a")).to.equal(false);
    expect(await given().recordStack(bob, c("c1"), "t1", "arn:stack/a")).to.equal(false);
    expect((await given().record(alice)).clusters.get("c1")?.stackId).to.equal("arn:stack/a");
  });
}
