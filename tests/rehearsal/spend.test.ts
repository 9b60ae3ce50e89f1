import { expect } from "chai";
import { HOUR_MS } from "../../functions/shared/money.js";
import { spendWithin, type InstanceUse, type SpendPrices } from "../../functions/shared/spend.js";
import { mergeInstances, type ObservedInstance } from "../../functions/shared/usage-record.js";
import type { Cluster } from "../support/rehearsal/cluster.js";
import type { InstanceReport } from "../support/rehearsal/fake-aws-client.js";
import { rehearsalSuite } from "../support/rehearsal/suite.js";

/*
 * On a real cluster: its spend estimate follows its
 * node-hours through scale-out, idle and scale-in. The fake AWS's record of
 * the cluster's instances (what DescribeInstances shows: type, zone,
 * market, launch and end) goes through the sweep's own merge and pricing
 * (usage-record.ts, spend.ts), with the master on-demand and the nodes at
 * the fake's spot price. Checked against node-hours counted straight from
 * the instances' launch and end times:
 * - before any job: the master alone spends, no node-hour;
 * - scale-out, then idle: the nodes' spend is their node-hours at the spot
 *   price, and it keeps growing while they sit idle before the suspend;
 * - scale-in: once their instances are gone, only the master's rate remains.
 */

const SECONDS_PER_MINUTE = 4;
const IDLE = 10 * SECONDS_PER_MINUTE;
const SUSPEND_TIMEOUT = 2 * SECONDS_PER_MINUTE;
/** The master's on-demand price and the nodes' spot price, USD per hour. */
const MASTER_PRICE = 0.1088;
const SPOT_PRICE = 0.02;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const prices: SpendPrices = {
  onDemand: () => MASTER_PRICE,
  spotHistory: () => [{ at: 0, usd: SPOT_PRICE }],
  diskPerGiBHour: 0,
};

/** An instance of the report as DescribeInstances would show it. */
function observed(instance: InstanceReport): ObservedInstance {
  const market = (instance as { market?: string }).market;
  return {
    id: instance.id,
    type: instance.instanceType,
    zone: instance.zone,
    market:
      (market ?? (instance.kind === "compute" ? "spot" : "on-demand")) === "spot"
        ? "spot"
        : "on-demand",
    launchedAt: instance.launchedAt,
    state: instance.state,
    endedAt: instance.terminatedAt,
  };
}

/** Node-hours counted straight from the compute instances' launch and end, up to `now`. */
function nodeHours(instances: readonly InstanceReport[], now: number): number {
  return instances
    .filter((i) => i.kind === "compute")
    .reduce((sum, i) => sum + (Math.min(i.terminatedAt ?? now, now) - i.launchedAt) / HOUR_MS, 0);
}

rehearsalSuite(
  "rehearsal: spend follows node-hours",
  {
    name: "spend",
    budgetSeconds: 600,
    secondsPerMinute: SECONDS_PER_MINUTE,
    spotPrice: SPOT_PRICE,
  },
  (rehearsal) => {
    let cluster: Cluster;
    let record: InstanceUse[] = [];
    /** The estimate at `now`, after a sweep's merge of what EC2 shows then. */
    const estimate = async () => {
      const now = Date.now();
      const instances = await cluster.instances();
      record = mergeInstances(record, instances.map(observed), now);
      const master = record.filter((use) => use.market === "on-demand");
      const nodes = record.filter((use) => use.market === "spot");
      return {
        now,
        instances,
        master: spendWithin(master, prices, 0, now).usd,
        nodes: spendWithin(nodes, prices, 0, now).usd,
        nodeHours: nodeHours(instances, now),
      };
    };
    const expectClose = (actual: number, expected: number, what: string) =>
      expect(Math.abs(actual - expected), `${what}: ${actual} against ${expected}`).to.be.at.most(
        Math.max(expected * 0.01, 1e-9),
      );

    before(async () => {
      cluster = await rehearsal().createCluster("alice", "spend", {
        ComputeInstanceType: "other",
        ComputeInstanceTypeOther: "c7i.large-2C-4GB",
        ComputeMaxNodes: "4",
      });
    });

    it("spends the master's rate alone before any job, with no node-hour", async () => {
      const first = await estimate();
      await sleep(3000);
      const second = await estimate();
      expect(second.nodeHours).to.equal(0);
      expect(second.nodes).to.equal(0);
      expectClose(
        second.master - first.master,
        (MASTER_PRICE * (second.now - first.now)) / HOUR_MS,
        "master",
      );
    });

    it("scale-out and idle: the nodes' spend is their node-hours at the spot price, growing while idle", async () => {
      const id = await cluster.sbatch("-N2 -o two-%j.out --wrap 'srun hostname'");
      await rehearsal().waitFor(`job ${id} to complete`, 180, async () => {
        const job = await cluster.jobRecord(id);
        return job.state === "COMPLETED" ? job : undefined;
      });
      const done = await estimate();
      expect(
        done.instances.filter((i) => i.kind === "compute" && i.state !== "terminated"),
      ).to.have.length(2);
      expectClose(done.nodes, done.nodeHours * SPOT_PRICE, "nodes after the job");
      await sleep(IDLE * 500);
      const idle = await estimate();
      expect(idle.nodes, "idle nodes still cost").to.be.above(done.nodes);
      expectClose(idle.nodes, idle.nodeHours * SPOT_PRICE, "idle nodes");
      rehearsal().figure("spend while idle: node-hours", idle.nodeHours * 3600, "node-seconds");
    });

    it("scale-in: once the nodes' instances are gone, only the master's rate remains", async () => {
      await rehearsal().waitFor(
        "every compute instance to be terminated",
        IDLE + SUSPEND_TIMEOUT + 60,
        async () => (await cluster.computeInstances()).every((i) => i.state === "terminated"),
      );
      const after = await estimate();
      expectClose(after.nodes, after.nodeHours * SPOT_PRICE, "nodes after scale-in");
      await sleep(3000);
      const later = await estimate();
      expect(later.nodes, "no node spend after scale-in").to.equal(after.nodes);
      expectClose(
        later.master - after.master,
        (MASTER_PRICE * (later.now - after.now)) / HOUR_MS,
        "master after scale-in",
      );
      console.log(
        `      ${after.nodeHours.toFixed(5)} node-hours → $${after.nodes.toFixed(6)} at $${SPOT_PRICE}/hour; master $${later.master.toFixed(6)}`,
      );
    });
  },
);
