import { expect } from "chai";
import type { Cluster } from "../support/rehearsal/cluster.js";
import { rehearsalSuite } from "../support/rehearsal/suite.js";

/*
 * The master's CloudFormation signal when its boot fails, and clusters
 * without autoscaling: their ComputeInitialNodes nodes start with them and
 * never stop (and with none, jobs are refused).
 */

const SECONDS_PER_MINUTE = 4;
const IDLE = 10 * SECONDS_PER_MINUTE;

rehearsalSuite(
  "rehearsal: the master's boot and a fixed cluster",
  { name: "boot", budgetSeconds: 400, secondsPerMinute: SECONDS_PER_MINUTE },
  (rehearsal) => {
    let cluster: Cluster;

    it("fails the stack at once, with the reason, when a master customizer fails", async () => {
      await rehearsal().aws.injectFault("customizer-fails", "master", 3);
      const started = Date.now();
      const broken = await rehearsal().createCluster("alice", "broken", {}, { allowFailure: true });
      const stack = await broken.stack();
      expect(stack.status).to.equal("ROLLBACK_COMPLETE");
      expect(stack.signals.map((s) => s.status)).to.deep.equal(["FAILURE"]);
      expect(stack.reason).to.equal(
        "Received FAILURE signal with UniqueId customizer default/configure.d/99-rehearsal-fault.sh exit 3",
      );
      console.log(`      stack reason: ${stack.reason}`);
      expect((await broken.instances()).map((i) => i.state)).to.deep.equal(["terminated"]);
      rehearsal().figure(
        "master customizer failure: create to rolled back",
        (Date.now() - started) / 1000,
      );
    });

    it("with AutoscalingPolicy disabled and 2 initial nodes, starts both nodes with the cluster", async () => {
      cluster = await rehearsal().createCluster("alice", "fixed", {
        AutoscalingPolicy: "disabled",
        ComputeInitialNodes: "2",
        ComputeMaxNodes: "4",
      });
      const nodes = await rehearsal().waitFor("both nodes to be up", 120, async () => {
        const found = await cluster.nodes();
        return Object.values(found).every((n) => n.state === "idle") ? found : undefined;
      });
      expect(Object.keys(nodes).sort()).to.deep.equal(["compute-1", "compute-2"]);
    });

    it("runs jobs on those nodes and keeps them past the idle time", async () => {
      const id = await cluster.sbatch("-N2 -o fixed-%j.out --wrap 'srun hostname'");
      await rehearsal().waitFor(
        `job ${id} to complete`,
        120,
        async () => (await cluster.jobRecord(id)).state === "COMPLETED",
      );
      await new Promise((resolve) => setTimeout(resolve, (IDLE + 15) * 1000));
      const up = (await cluster.computeInstances()).filter((i) => i.state !== "terminated");
      expect(up.map((i) => i.tags["flightdeck-node"]).sort()).to.deep.equal([
        "compute-1",
        "compute-2",
      ]);
      expect(Object.values(await cluster.nodes()).map((n) => n.state)).to.deep.equal([
        "idle",
        "idle",
      ]);
    });

    it("terminates those nodes with the cluster", async () => {
      expect((await cluster.delete()).status).to.equal("DELETE_COMPLETE");
      expect((await cluster.computeInstances()).every((i) => i.state === "terminated")).to.equal(
        true,
      );
    });

    it("builds a fixed cluster of no compute nodes, whose sbatch refuses jobs", async () => {
      const empty = await rehearsal().createCluster("alice", "empty", {
        AutoscalingPolicy: "disabled",
      });
      const result = await empty.exec(empty.account, "sbatch --wrap hostname");
      expect(result.status).to.not.equal(0);
      expect(result.stderr).to.include("Required partition not available");
      expect(await empty.computeInstances()).to.deep.equal([]);
      expect((await empty.delete()).status).to.equal("DELETE_COMPLETE");
    });

    it("made no AWS call the instance roles do not allow", async () => {
      const { calls } = await rehearsal().aws.report();
      expect(calls.filter((c) => c.decision !== "Allowed")).to.deep.equal([]);
    });
  },
);
