import { expect } from "chai";
import type { UserId } from "../../../../functions/shared/identifiers.js";
import type { ClusterRegistry } from "../../../../functions/shared/runtime/cluster-registry.js";
import { alice, bob, c, claim, STACK } from "./registry-contract-fixtures.js";

/*
 * The registry contract's cases for what rides on the slots
 * (registry-contract.ts runs them): the request rate, the lifetimes, and
 * the sweep's read of every record.
 */

export function admissionCases(given: () => ClusterRegistry): void {
  const minute = 60_000 * 1000;

  it("counts requests per minute and refuses past the limit until the next minute", async () => {
    const admitted = [];
    for (let i = 0; i < 4; i += 1)
      admitted.push((await given().admit(alice, minute + i, 3)).admitted);
    expect(admitted).to.deep.equal([true, true, true, false]);
    expect((await given().admit(alice, minute + 59_999, 3)).admitted).to.equal(false);
    expect((await given().admit(alice, minute + 60_000, 3)).admitted).to.equal(true);
  });

  it("admits exactly the limit of racing requests", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => given().admit(alice, minute, 4)),
    );
    expect(results.filter((r) => r.admitted)).to.have.length(4);
  });

  it("counts each user apart, and a late request against the newer minute", async () => {
    await given().admit(alice, minute + 60_000, 1);
    expect((await given().admit(bob, minute + 60_000, 1)).admitted).to.equal(true);
    // A request placed in an earlier minute (a slower clock) counts against the stored one.
    expect((await given().admit(alice, minute, 1)).admitted).to.equal(false);
  });

  it("leaves the slots as they are", async () => {
    await given().acquire(alice, c("c1"), claim("t1"), {});
    await given().admit(alice, minute, 3);
    const record = await given().record(alice);
    expect([...record.clusters.keys()]).to.deep.equal(["c1"]);
    expect(record.vcpus).to.equal(6);
  });
}

export function lifetimeCases(given: () => ClusterRegistry): void {
  const taken = async () => {
    await given().acquire(alice, c("c1"), { ...claim("t1"), expiresAt: 5_000_000 }, {});
    await given().acquire(bob, c("c2"), claim("t2"), {});
  };

  it("marks a warning once per expiry, and not for a cluster it does not hold", async () => {
    await taken();
    expect(await given().markWarned(alice, c("c1"), 5_000_000)).to.equal(true);
    expect(await given().markWarned(alice, c("c1"), 5_000_000)).to.equal(false);
    expect(await given().markWarned(alice, c("c1"), 9_000_000)).to.equal(true);
    expect(await given().markWarned(alice, c("c9"), 5_000_000)).to.equal(false);
    expect(await given().markWarned("nobody" as UserId, c("c1"), 5_000_000)).to.equal(false);
    expect((await given().record(alice)).clusters.get("c1")?.warnedFor).to.equal(9_000_000);
  });

  it("extends once per upload, only from the expiry read, and only the slot of that create", async () => {
    await taken();
    const ask = { token: "t1", from: 5_000_000, to: 7_000_000, requestId: "v1" };
    expect(await given().extend(alice, c("c1"), { ...ask, token: "other" })).to.equal(false);
    expect(await given().extend(alice, c("c1"), { ...ask, from: 4_000_000 })).to.equal(false);
    expect(await given().extend(alice, c("c1"), { ...ask, from: undefined })).to.equal(false);
    expect(await given().extend(alice, c("c1"), ask)).to.equal(true);
    const again = { ...ask, from: 7_000_000, to: 9_000_000 };
    // The same upload again (a retried event), even from the new expiry: once only.
    expect(await given().extend(alice, c("c1"), again)).to.equal(false);
    expect(await given().extend(alice, c("c1"), { ...again, requestId: "v2" })).to.equal(true);
    // A slot claimed without an expiry extends from none.
    const fromNone = { token: "t2", from: undefined, to: 1, requestId: "v3" };
    expect(await given().extend(bob, c("c2"), fromNone)).to.equal(true);
    expect(await given().extend(bob, c("c9"), fromNone)).to.equal(false);
    const slot = (await given().record(alice)).clusters.get("c1");
    expect(slot).to.deep.include({ expiresAt: 9_000_000, extendedBy: "v2" });
  });

  it("keeps why FlightDeck ends a cluster with its slot", async () => {
    await taken();
    await given().markEnding(alice, c("c1"), "it reached its maximum lifetime of 4 hours");
    await given().markEnding(alice, c("c9"), "no such cluster: nothing written");
    const record = await given().record(alice);
    expect(record.clusters.get("c1")?.endReason).to.equal(
      "it reached its maximum lifetime of 4 hours",
    );
    expect(record.clusters.has("c9")).to.equal(false);
  });
}

export function allRecordsCases(given: () => ClusterRegistry): void {
  const users = async () =>
    (await given().allRecords()).map(({ user, record }) => [user, [...record.clusters.keys()]]);

  it("reads nothing from an empty registry", async () => {
    expect(await given().allRecords()).to.deep.equal([]);
  });

  it("reads every user's slots in one sweep, with the expiry given with each claim", async () => {
    await given().acquire(alice, c("c1"), { ...claim("t1"), expiresAt: 5_000_000 }, {});
    await given().acquire(bob, c("c2"), claim("t2"), {});
    const all = await given().allRecords();
    expect(all.map((r) => r.user).sort()).to.deep.equal(["alice", "bob"]);
    const alices = all.find((r) => r.user === "alice")?.record.clusters.get("c1");
    expect(alices).to.deep.include({ acquiredAt: 1_000_000, expiresAt: 5_000_000 });
    expect(all.find((r) => r.user === "bob")?.record.clusters.get("c2")?.expiresAt).to.equal(
      undefined,
    );
  });

  it("lists a user who only sent requests, with no clusters", async () => {
    await given().admit(alice, 60_000, 3);
    expect(await users()).to.deep.equal([["alice", []]]);
  });

  it("lists no user for reads and refused writes alone", async () => {
    await given().record(alice);
    await given().markWarned(alice, c("c1"), 1);
    await given().markEnding(alice, c("c1"), "why");
    await given().markChecked(alice, [c("c1")], 1);
    await given().release(alice, c("c1"), { token: "t1" });
    await given().recordStack(alice, c("c1"), "t1", STACK);
    await given().extend(alice, c("c1"), { token: "t1", from: undefined, to: 1, requestId: "v" });
    expect(await users()).to.deep.equal([]);
  });

  it("keeps listing a user whose last slot was freed, with no clusters", async () => {
    await given().acquire(alice, c("c1"), claim("t1"), {});
    await given().release(alice, c("c1"), { token: "t1" });
    expect(await users()).to.deep.equal([["alice", []]]);
  });
}
