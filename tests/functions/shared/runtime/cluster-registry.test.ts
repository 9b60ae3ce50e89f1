import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import dynalite from "dynalite";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ClusterName, UserId } from "../../../../functions/shared/identifiers.js";
import {
  DynamoClusterRegistry,
  type ClusterRegistry,
} from "../../../../functions/shared/runtime/cluster-registry.js";
import { MemoryRegistry } from "../../../support/memory-registry.js";

const alice = "alice" as UserId;
const c = (name: string) => name as ClusterName;
const claim = (token: string, vcpus = 6, nowMs = 1_000_000) => ({ token, vcpus, nowMs });

/*
 * One contract, two registries: the DynamoDB one the handlers run with
 * (against dynalite, a real local DynamoDB) and the in-memory one handler
 * tests use. Each test runs against both, so the memory registry cannot
 * drift from the real one's answers.
 */

describe("the cluster registry contract, in DynamoDB (dynalite)", function () {
  this.timeout(20_000);
  let server: Server;
  let client: DynamoDBClient;
  let table = 0;
  let current: ClusterRegistry;

  before(async () => {
    process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
    server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client = new DynamoDBClient({
      region: "eu-west-2",
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: "a", secretAccessKey: "s" },
    });
  });
  beforeEach(async () => {
    table += 1;
    await client.send(
      new CreateTableCommand({
        TableName: `clusters-${table}`,
        AttributeDefinitions: [{ AttributeName: "user", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "user", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    current = new DynamoClusterRegistry(`clusters-${table}`, "eu-west-2", client);
  });
  after(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  registryContract(() => current);
});

describe("the cluster registry contract, in memory (tests/support/memory-registry.ts)", () => {
  let current: ClusterRegistry;
  beforeEach(() => {
    current = new MemoryRegistry();
  });
  registryContract(() => current);
});

/** What every ClusterRegistry must answer; `make` gives each test a fresh, empty one. */
function registryContract(make: () => ClusterRegistry): void {
  let registry: ClusterRegistry;
  beforeEach(() => {
    registry = make();
  });

  it("lets exactly maxClusters of many racing claims through", async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        registry.acquire(alice, c(`c${i}`), claim(`t${i}`), { maxClusters: 3 }),
      ),
    );
    expect(results.filter((r) => r.kind === "acquired")).to.have.length(3);
    const record = await registry.record(alice);
    expect(record.clusters.size).to.equal(3);
    expect(record.vcpus).to.equal(18);
  });

  it("lets racing claims through only while their vCPUs fit", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        registry.acquire(alice, c(`c${i}`), claim(`t${i}`, 10), { maxVcpus: 35 }),
      ),
    );
    expect(results.filter((r) => r.kind === "acquired")).to.have.length(3);
    expect((await registry.record(alice)).vcpus).to.equal(30);
  });

  it("holds a slot for the request that took it only, and says who holds the slots when full", async () => {
    expect((await registry.acquire(alice, c("c1"), claim("t1"), { maxClusters: 1 })).kind).to.equal(
      "acquired",
    );
    // The same request again (a retried event) holds it; another request for the name does not.
    expect((await registry.acquire(alice, c("c1"), claim("t1"), { maxClusters: 1 })).kind).to.equal(
      "held",
    );
    const other = await registry.acquire(alice, c("c1"), claim("t1b", 60), { maxClusters: 1 });
    expect(other.kind).to.equal("taken");
    expect(other.kind === "taken" ? other.slot : undefined).to.deep.include({
      token: "t1",
      vcpus: 6,
    });
    const full = await registry.acquire(alice, c("c2"), claim("t2"), { maxClusters: 1 });
    expect(full.kind).to.equal("full");
    expect(full.kind === "full" ? [...full.record.clusters.keys()] : []).to.deep.equal(["c1"]);
    expect((await registry.record(alice)).vcpus).to.equal(6);
  });

  it("releases a slot once, by its stack's id once recorded, else by the token that took it", async () => {
    await registry.acquire(alice, c("c1"), claim("t1"), {});
    expect(await registry.release(alice, "c1", { stackId: "arn:stack/fd-alice-c1/1" })).to.equal(
      false,
    );
    expect(await registry.recordStack(alice, c("c1"), "t1", "arn:stack/fd-alice-c1/1")).to.equal(
      true,
    );
    // Once the slot knows its stack, the token that took it no longer frees it: an old
    // stack's event carrying an old token cannot free a newer stack's slot.
    expect(await registry.release(alice, "c1", { token: "t1" })).to.equal(false);
    expect(
      await registry.release(alice, "c1", { token: "other", stackId: "arn:stack/x" }),
    ).to.equal(false);
    expect(await registry.release(alice, "c1", { stackId: "arn:stack/fd-alice-c1/1" })).to.equal(
      true,
    );
    expect(await registry.release(alice, "c1", { stackId: "arn:stack/fd-alice-c1/1" })).to.equal(
      false,
    );
    const record = await registry.record(alice);
    expect(record.clusters.size).to.equal(0);
    expect(record.vcpus).to.equal(0);
  });

  it("frees a slot without a stack by its token only, and only as it was read", async () => {
    await registry.acquire(alice, c("c1"), claim("t1"), {});
    const read = (await registry.record(alice)).clusters.get("c1");
    expect(await registry.release(alice, "c1", { token: "t0" })).to.equal(false);
    expect(await registry.release(alice, "c1", { token: "t1" })).to.equal(true);
    await registry.acquire(alice, c("c1"), claim("t2", 6, 2_000_000), {});
    // The slot read before belonged to another request: it is not this one.
    expect(await registry.release(alice, "c1", { token: "t1" }, read)).to.equal(false);
    expect((await registry.record(alice)).clusters.get("c1")?.token).to.equal("t2");
  });

  it("records a stack only in the slot of the request that made it", async () => {
    await registry.acquire(alice, c("c1"), claim("t1"), {});
    expect(await registry.recordStack(alice, c("c1"), "t0", "arn:stack/a")).to.equal(false);
    expect(await registry.recordStack(alice, c("c1"), "t1", "arn:stack/a")).to.equal(true);
    // Again (a retried event): the same stack, yes; another, never.
    expect(await registry.recordStack(alice, c("c1"), "t1", "arn:stack/a")).to.equal(true);
    expect(await registry.recordStack(alice, c("c1"), "t1", "arn:stack/b")).to.equal(false);
    expect(await registry.recordStack(alice, c("c9"), "t1", "arn:stack/a")).to.equal(false);
    expect((await registry.record(alice)).clusters.get("c1")?.stackId).to.equal("arn:stack/a");
  });

  it("counts requests per minute and refuses past the limit until the next minute", async () => {
    const minute = 60_000 * 1000;
    const admitted = [];
    for (let i = 0; i < 4; i += 1)
      admitted.push((await registry.admit(alice, minute + i, 3)).admitted);
    expect(admitted).to.deep.equal([true, true, true, false]);
    expect((await registry.admit(alice, minute + 60_000, 3)).admitted).to.equal(true);
  });

  it("notes when a slot's stack was last seen alive", async () => {
    await registry.acquire(alice, c("c1"), claim("t1"), {});
    await registry.markChecked(alice, ["c1", "gone"], 42);
    expect((await registry.record(alice)).clusters.get("c1")?.checkedAt).to.equal(42);
  });

  describe("lifetimes", () => {
    const bob = "bob" as UserId;
    const taken = async () => {
      await registry.acquire(alice, c("c1"), { ...claim("t1"), expiresAt: 5_000_000 }, {});
      await registry.acquire(bob, c("c2"), claim("t2"), {});
    };

    it("keeps the expiry given with a claim, and reads every user's record in one sweep", async () => {
      await taken();
      const all = await registry.allRecords();
      expect(all.map((r) => r.user).sort()).to.deep.equal(["alice", "bob"]);
      const alices = all.find((r) => r.user === "alice")?.record.clusters.get("c1");
      expect(alices).to.deep.include({ acquiredAt: 1_000_000, expiresAt: 5_000_000 });
      expect(all.find((r) => r.user === "bob")?.record.clusters.get("c2")?.expiresAt).to.equal(
        undefined,
      );
    });

    it("marks a warning once per expiry, and not for a cluster it does not hold", async () => {
      await taken();
      expect(await registry.markWarned(alice, "c1", 5_000_000)).to.equal(true);
      expect(await registry.markWarned(alice, "c1", 5_000_000)).to.equal(false);
      expect(await registry.markWarned(alice, "c1", 9_000_000)).to.equal(true);
      expect(await registry.markWarned(alice, "c9", 5_000_000)).to.equal(false);
      expect(await registry.markWarned("nobody" as UserId, "c1", 5_000_000)).to.equal(false);
    });

    it("extends once per upload, only from the expiry read, and only the slot of that create", async () => {
      await taken();
      const ask = { token: "t1", from: 5_000_000, to: 7_000_000, requestId: "v1" };
      expect(await registry.extend(alice, "c1", { ...ask, token: "other" })).to.equal(false);
      expect(await registry.extend(alice, "c1", { ...ask, from: 4_000_000 })).to.equal(false);
      expect(await registry.extend(alice, "c1", ask)).to.equal(true);
      // The same upload again (a retried event), even from the new expiry: once only.
      expect(
        await registry.extend(alice, "c1", { ...ask, from: 7_000_000, to: 9_000_000 }),
      ).to.equal(false);
      expect(
        await registry.extend(alice, "c1", {
          ...ask,
          from: 7_000_000,
          to: 9_000_000,
          requestId: "v2",
        }),
      ).to.equal(true);
      // A slot with no expiry yet (taken before expiries were kept) extends from none.
      expect(
        await registry.extend(bob, "c2", { token: "t2", from: undefined, to: 1, requestId: "v3" }),
      ).to.equal(true);
      const slot = (await registry.record(alice)).clusters.get("c1");
      expect(slot).to.deep.include({ expiresAt: 9_000_000, extendedBy: "v2" });
    });

    it("keeps why FlightDeck ends a cluster with its slot", async () => {
      await taken();
      await registry.markEnding(alice, "c1", "it reached its maximum lifetime of 4 hours");
      await registry.markEnding(alice, "c9", "no such cluster: nothing written");
      const record = await registry.record(alice);
      expect(record.clusters.get("c1")?.endReason).to.equal(
        "it reached its maximum lifetime of 4 hours",
      );
      expect(record.clusters.has("c9")).to.equal(false);
    });
  });
}
