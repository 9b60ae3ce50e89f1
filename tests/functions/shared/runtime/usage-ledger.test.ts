import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { DynamoUsageLedger } from "../../../../functions/shared/runtime/dynamo-usage-ledger.js";
import {
  DEPLOYMENT_OWNER,
  type ClusterUsage,
  type UsageLedger,
} from "../../../../functions/shared/runtime/usage-ledger.js";
import { startDynalite, type LocalDynamo } from "../../../support/dynalite-server.js";
import { MemoryUsageLedger } from "../../../support/memory-usage-ledger.js";
import { usageTableInput } from "../../../support/money-fakes.js";

/*
 * One contract, two ledgers: the DynamoDB one the handlers run with (against
 * dynalite, a real local DynamoDB) and the in-memory one handler tests use.
 */

const STACK = "arn:aws:cloudformation:eu-west-2:111122223333:stack/fd-alice-c1/1";

function ledgerContract(ledger: () => UsageLedger): void {
  const opened = { user: "alice", cluster: "c1", stackId: STACK, createdAt: 1000, maxPerHour: 0.9 };
  const record = (usage: ClusterUsage, extra: Partial<ClusterUsage>): ClusterUsage => ({
    ...usage,
    ...extra,
  });

  it("opens a cluster's record once: a repeat changes nothing", async () => {
    await ledger().openCluster(opened);
    await ledger().openCluster({ ...opened, createdAt: 5, maxPerHour: 7 });
    const usage = await ledger().cluster("alice", STACK);
    expect(usage).to.deep.include({
      cluster: "c1",
      createdAt: 1000,
      maxPerHour: 0.9,
      final: false,
      version: 0,
    });
    expect(usage?.instances).to.deep.equal([]);
  });

  it("saves a record only over the version read, and never over a final one", async () => {
    await ledger().openCluster(opened);
    const read = (await ledger().cluster("alice", STACK))!;
    const instances = [
      {
        id: "i-1",
        type: "r4.large",
        zone: "eu-west-2a",
        market: "spot" as const,
        launchedAt: 1000,
        diskGiB: 30,
      },
    ];
    expect(
      await ledger().saveCluster(
        record(read, { instances, spend: { "2026-12": 1.5 }, through: 2000 }),
      ),
    ).to.equal(true);
    // A second writer that read the same version loses, and reads again.
    expect(await ledger().saveCluster(record(read, { spend: { "2026-12": 9 } }))).to.equal(false);
    const now = (await ledger().cluster("alice", STACK))!;
    expect(now).to.deep.include({
      spend: { "2026-12": 1.5 },
      through: 2000,
      version: 1,
      maxPerHour: 0.9,
    });
    expect(now.instances).to.deep.equal(instances);
    expect(await ledger().saveCluster(record(now, { final: true }))).to.equal(true);
    const final = (await ledger().cluster("alice", STACK))!;
    expect(await ledger().saveCluster(record(final, { spend: { "2026-12": 3 } }))).to.equal(false);
    expect((await ledger().cluster("alice", STACK))?.final).to.equal(true);
  });

  it("saves a record the create never opened", async () => {
    const fresh: ClusterUsage = {
      user: "bob",
      cluster: "c2",
      stackId: "s2",
      createdAt: 1,
      instances: [],
      spend: { "2026-11": 2 },
      through: 3,
      final: false,
      version: 0,
    };
    expect(await ledger().saveCluster(fresh)).to.equal(true);
    expect((await ledger().cluster("bob", "s2"))?.spend).to.deep.equal({ "2026-11": 2 });
  });

  it("keeps each month's spend per cluster and per user, and the deployment's per user", async () => {
    await ledger().setClusterSpend("alice", "2026-12", STACK, "c1", 1.25);
    await ledger().setClusterSpend("alice", "2026-12", "s2", "c1", 2);
    await ledger().setClusterSpend("alice", "2026-12", STACK, "c1", 1.5);
    await ledger().setUserSpend("2026-12", "alice", 3.5);
    const month = await ledger().month("alice", "2026-12");
    expect(month.clusters).to.deep.equal({
      [STACK]: { cluster: "c1", usd: 1.5 },
      s2: { cluster: "c1", usd: 2 },
    });
    expect((await ledger().month(DEPLOYMENT_OWNER, "2026-12")).users).to.deep.equal({ alice: 3.5 });
    expect((await ledger().month("alice", "2026-11")).clusters).to.deep.equal({});
    const months = await ledger().monthsOf("2026-12");
    expect(months.map((m) => m.owner).sort()).to.deep.equal([DEPLOYMENT_OWNER, "alice"]);
  });

  it("marks a warning once per budget, and a grace once until it is lifted", async () => {
    expect(await ledger().markWarned("alice", "2026-12", 100)).to.equal(true);
    expect(await ledger().markWarned("alice", "2026-12", 100)).to.equal(false);
    expect(await ledger().markWarned("alice", "2026-12", 200)).to.equal(true);
    expect(await ledger().markStop("alice", "2026-12", 5000)).to.equal(true);
    expect(await ledger().markStop("alice", "2026-12", 9000)).to.equal(false);
    expect((await ledger().month("alice", "2026-12")).stopAt).to.equal(5000);
    await ledger().liftStop("alice", "2026-12");
    expect((await ledger().month("alice", "2026-12")).stopAt).to.equal(undefined);
    expect(await ledger().markStop("alice", "2026-12", 9000)).to.equal(true);
  });
}

describe("the usage ledger contract, in DynamoDB (dynalite)", function () {
  this.timeout(20_000);
  let dynamo: LocalDynamo;
  let client: DynamoDBClient;
  let table = 0;
  let current: UsageLedger;

  before(async () => {
    dynamo = await startDynalite();
    client = dynamo.client;
  });
  beforeEach(async () => {
    table += 1;
    await client.send(new CreateTableCommand(usageTableInput(`usage-${table}`)));
    current = new DynamoUsageLedger(`usage-${table}`, "eu-west-2", client);
  });
  after(async () => {
    await dynamo.stop();
  });
  ledgerContract(() => current);
});

describe("the usage ledger contract, in memory (tests/support/memory-usage-ledger.ts)", () => {
  let current: UsageLedger;
  beforeEach(() => (current = new MemoryUsageLedger()));
  ledgerContract(() => current);
});
