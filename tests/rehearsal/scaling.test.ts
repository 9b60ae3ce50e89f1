import { expect } from "chai";
import type { Cluster } from "../support/rehearsal/cluster.js";
import { rehearsalSuite } from "../support/rehearsal/suite.js";

/*
 * Autoscaling on a cluster of 4-core nodes (c7i.2xlarge or m7i.2xlarge: 8
 * vCPUs, hyper-threading off): nodes start for waiting jobs and stop after
 * the idle time, a job no cluster this size can run is refused, and 100
 * one-core jobs ask for about 25 nodes, not 100, from both types in both
 * zones.
 */

const SECONDS_PER_MINUTE = 4;
const IDLE = 10 * SECONDS_PER_MINUTE;
const SUSPEND_TIMEOUT = 2 * SECONDS_PER_MINUTE;
const MAX_NODES = 28;

rehearsalSuite(
  "rehearsal: autoscaling",
  { name: "scaling", budgetSeconds: 900, secondsPerMinute: SECONDS_PER_MINUTE },
  (rehearsal) => {
    let cluster: Cluster;
    const live = async () =>
      (await cluster.computeInstances()).filter((i) => i.state !== "terminated");

    before(async () => {
      cluster = await rehearsal().createCluster("alice", "scaling", {
        ComputeInstanceType: "other",
        ComputeInstanceTypeOther: "c7i.2xlarge-8C-16GB",
        ComputeInstanceTypes: "c7i.2xlarge,m7i.2xlarge",
        ComputeMaxNodes: String(MAX_NODES),
      });
    });

    it("starts from zero nodes and runs a 2-node job", async () => {
      expect(await live()).to.deep.equal([]);
      const submitted = Date.now() / 1000;
      const id = await cluster.sbatch("-N2 -o two-%j.out --wrap 'srun hostname'");
      const job = await rehearsal().waitFor(`job ${id} to complete`, 180, async () => {
        const record = await cluster.jobRecord(id);
        return record.state === "COMPLETED" ? record : undefined;
      });
      const hosts = (await cluster.login(`cat two-${id}.out`)).trim().split("\n").sort();
      expect(hosts).to.deep.equal(["compute-1", "compute-2"]);
      expect((await live()).map((i) => i.tags["flightdeck-node"]).sort()).to.deep.equal([
        "compute-1",
        "compute-2",
      ]);
      rehearsal().figure(
        "scale-out from zero: submit to start",
        (job.start ?? 0) - submitted,
        "2 nodes",
      );
    });

    it("stops the nodes after the idle time and terminates their instances", async () => {
      const idleSince = Date.now() / 1000;
      await rehearsal().waitFor(
        "every compute instance to be terminated",
        IDLE + SUSPEND_TIMEOUT + 60,
        async () => (await live()).length === 0,
      );
      const report = await rehearsal().aws.report();
      expect(report.groups[0]?.desired).to.equal(0);
      const nodes = await cluster.nodes();
      // Powering down (idle%) or powered down (idle~): either way back in the pool, its instance gone.
      expect(nodes["compute-1"]?.state).to.match(/^idle[~%]$|^idle$/);
      const ended = (await cluster.computeInstances(report)).map(
        (i) => (i.terminatedAt ?? 0) / 1000,
      );
      rehearsal().figure(
        "scale-in: idle to terminated",
        Math.max(...ended) - idleSince,
        `idle time ${IDLE} s`,
      );
      console.log(`      sinfo after scale-in: ${JSON.stringify(nodes["compute-1"])}`);
    });

    it("refuses a job larger than the cluster at submission, and starts no node for it", async () => {
      const before = (await rehearsal().aws.report()).activities.length;
      for (const size of [`-N ${MAX_NODES + 12}`, `-n ${MAX_NODES * 4 + 1}`]) {
        const result = await cluster.exec(cluster.account, `sbatch ${size} --wrap hostname`);
        expect(result.status, size).to.not.equal(0);
        expect(result.stderr, size).to.match(/Batch job submission failed/);
        console.log(`      sbatch ${size}: ${result.stderr.trim()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5000));
      expect((await rehearsal().aws.report()).activities.length).to.equal(before);
      expect(await live()).to.deep.equal([]);
    });

    it("asks for about 25 nodes for 100 one-core jobs, and runs them all", async () => {
      const submitted = Date.now() / 1000;
      const out = await cluster.login(
        `for i in $(seq 100); do sbatch --parsable -n1 -o /dev/null --wrap 'sleep 5'; done | tail -1`,
      );
      const last = Number(out.trim());
      let peak = 0;
      await rehearsal().waitFor("100 jobs to finish", 400, async () => {
        peak = Math.max(peak, (await live()).length);
        const left = (await cluster.login(`squeue -h -u ${cluster.account} | wc -l`)).trim();
        return left === "0";
      });
      const launched = (await cluster.computeInstances()).filter(
        (i) => i.launchedAt / 1000 >= submitted,
      );
      const records = await cluster.login(`scontrol -o show job`);
      const completed = [...records.matchAll(/JobId=(\d+) .*?JobState=COMPLETED/g)]
        .map((match) => Number(match[1]))
        .filter((id) => id > last - 100 && id <= last);
      expect(completed, "jobs completed").to.have.length(100);
      const lastJob = await cluster.jobRecord(String(last));
      expect(launched.length, "instances launched").to.be.within(25, 26);
      const count = (key: (i: (typeof launched)[number]) => string) => {
        const counts: Record<string, number> = {};
        for (const instance of launched) counts[key(instance)] = (counts[key(instance)] ?? 0) + 1;
        return counts;
      };
      const zones = count((i) => i.zone);
      const types = count((i) => i.instanceType);
      expect(Object.keys(zones).sort(), "zones").to.have.length(2);
      expect(Object.keys(types).sort(), "types").to.deep.equal(["c7i.2xlarge", "m7i.2xlarge"]);
      console.log(
        `      100 one-core jobs: ${launched.length} instances launched, ${peak} at once; by zone ${JSON.stringify(zones)}, by type ${JSON.stringify(types)}`,
      );
      rehearsal().figure("100 jobs: submit to the last job's end", (lastJob.end ?? 0) - submitted);
    });

    it("deletes the cluster, and with it every compute instance, before its security groups", async () => {
      const running = (await live()).map((i) => i.id).sort();
      expect(running, "compute instances still up").to.not.deep.equal([]);
      const stack = await cluster.delete();
      expect(stack.status).to.equal("DELETE_COMPLETE");
      expect((await cluster.instances()).filter((i) => i.state !== "terminated")).to.deep.equal([]);
      const deleted = stack.events.filter((e) => e.status === "DELETE_COMPLETE");
      const group = deleted.find((e) => e.logicalId === "ComputeGroup");
      expect(
        [...(group?.terminated ?? [])].sort(),
        "terminated by the group's deletion",
      ).to.deep.equal(running);
      const order = deleted.map((e) => e.logicalId);
      expect(order.indexOf("ComputeGroup")).to.be.below(order.indexOf("ClusterSecurityGroup"));
      expect(order.indexOf("MasterInstance")).to.be.below(order.indexOf("LoginSecurityGroup"));
      expect(stack.events.filter((e) => e.status === "DELETE_FAILED")).to.deep.equal([]);
      // The deployment's network and the owner's home stay: they are not the stack's.
      const left = (await rehearsal().aws.report()).securityGroups.map((g) => g.id);
      expect(left).to.include(rehearsal().home("alice").clientSecurityGroupId);
      console.log(
        `      deleting the stack terminated ${running.length} compute instances with ComputeGroup, then the master, then its security groups`,
      );
    });

    it("made no AWS call the instance roles do not allow", async () => {
      const { calls } = await rehearsal().aws.report();
      expect(calls.filter((c) => c.decision !== "Allowed")).to.deep.equal([]);
    });
  },
);
