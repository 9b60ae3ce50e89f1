import { expect } from "chai";
import type { Cluster } from "../support/rehearsal/cluster.js";
import { rehearsalSuite } from "../support/rehearsal/suite.js";

/*
 * Nodes that fail: a compute node whose customizer fails, one whose slurmd
 * never registers, and launches AWS refuses (a spot price below the market).
 * Each must cost one instance at most, leave a reason the user can see, and
 * never turn into a hot loop; the job runs once a working node is there.
 * tests/rehearsal/capacity.test.ts covers capacity: other types and zones,
 * spot interruptions and the on-demand fallback.
 */

const SECONDS_PER_MINUTE = 3;
const RESUME_TIMEOUT = 30 * SECONDS_PER_MINUTE;
const BACKOFF = 10 * SECONDS_PER_MINUTE;

rehearsalSuite(
  "rehearsal: nodes that fail",
  { name: "failures", budgetSeconds: 900, secondsPerMinute: SECONDS_PER_MINUTE, spotPrice: 0.02 },
  (rehearsal) => {
    let cluster: Cluster;

    before(async () => {
      cluster = await rehearsal().createCluster("alice", "failing", {
        ComputeInstanceType: "other",
        ComputeInstanceTypeOther: "r4.large-2C-15.25GB",
        ComputeSpotPrice: "0.03",
        ComputeMaxNodes: "4",
      });
    });

    it("terminates a node whose customizer fails, shows why, and runs the job on a replacement", async () => {
      await rehearsal().aws.injectFault("customizer-fails", "compute", 3);
      const submitted = Date.now() / 1000;
      const id = await cluster.sbatch("-N1 -o fail-%j.out --wrap hostname");
      const reasons = new Set<string>();
      const job = await cluster.completion(id, RESUME_TIMEOUT + 120, reasons);
      const instances = await cluster.computeInstances();
      const broken = instances.filter((i) => i.faults.customizerExit !== undefined);
      expect(broken, "the broken instance").to.have.length(1);
      const [bad] = broken;
      expect(bad?.state).to.equal("terminated");
      const lifetime = ((bad?.terminatedAt ?? 0) - (bad?.launchedAt ?? 0)) / 1000;
      expect(lifetime, "terminated within ResumeTimeout").to.be.below(RESUME_TIMEOUT);
      expect([...reasons].join("\n")).to.include(
        "boot failed: customizer default/configure.d/99-rehearsal-fault.sh exit 3",
      );
      expect(job.restarts, "requeued").to.be.at.least(1);
      rehearsal().figure("customizer failure: launch to terminated", lifetime);
      rehearsal().figure(
        "customizer failure: submit to start on the replacement",
        (job.start ?? 0) - submitted,
        `${job.restarts} requeue`,
      );
    });

    it("terminates a node whose slurmd never registers at ResumeTimeout, and runs the job on a replacement", async () => {
      await rehearsal().aws.injectFault("munge-mismatch", "compute");
      const submitted = Date.now() / 1000;
      // A node never used yet, so that a new instance boots for it.
      const id = await cluster.sbatch("-w compute-3 -o mute-%j.out --wrap hostname");
      const reasons = new Set<string>();
      const job = await cluster.completion(id, RESUME_TIMEOUT + 150, reasons);
      const [bad] = (await cluster.computeInstances()).filter((i) => i.faults.mungeMismatch);
      expect(bad?.state).to.equal("terminated");
      const lifetime = ((bad?.terminatedAt ?? 0) - (bad?.launchedAt ?? 0)) / 1000;
      expect(lifetime, "terminated at ResumeTimeout").to.be.below(RESUME_TIMEOUT + 15);
      expect([...reasons].join("\n")).to.include("ResumeTimeout reached");
      expect(job.restarts, "requeued").to.be.at.least(1);
      rehearsal().figure("silent node: launch to terminated", lifetime);
      rehearsal().figure(
        "silent node: submit to start on the replacement",
        (job.start ?? 0) - submitted,
      );
    });

    it("shows why AWS refuses a launch (spot price below the market), keeps the job waiting without a hot loop, and runs it once the market allows", async () => {
      await rehearsal().aws.setSpotPrice(0.04);
      const before = (await rehearsal().aws.report()).activities.length;
      const submitted = Date.now() / 1000;
      const id = await cluster.sbatch("-w compute-4 -o spot-%j.out --wrap hostname");
      const reason = await rehearsal().waitFor("a launch failure reason", 60, async () =>
        Object.values(await cluster.nodeReasons()).find((r) => r.startsWith("spot capacity")),
      );
      expect(reason).to.include("SpotMaxPriceTooLow");
      // alice's limits set a spot price limit, so no on-demand: the reason says what she can do.
      expect(reason).to.include("raise ComputeSpotPrice");
      console.log(`      sinfo -R: ${reason}`);
      // A want of capacity: the job keeps its node, waiting for an instance, not requeued.
      const waiting = await cluster.job(id);
      expect(waiting?.state).to.equal("CONFIGURING");
      const window = BACKOFF + 10;
      await new Promise((resolve) => setTimeout(resolve, window * 1000));
      const report = await rehearsal().aws.report();
      const attempts = report.activities
        .slice(0, report.activities.length - before)
        .filter((a) => a.status === "Failed");
      console.log(
        `      ⏱ launch attempts in ${window} s (${(window / SECONDS_PER_MINUTE).toFixed(0)} simulated min): ${attempts.length}`,
      );
      // Auto Scaling tries again on its own (the fake: once a simulated minute); the master adds none.
      expect(attempts.length).to.be.within(1, Math.ceil(window / SECONDS_PER_MINUTE) + 2);
      expect((await cluster.jobRecord(id)).restarts, "not requeued").to.equal(0);

      await rehearsal().aws.setSpotPrice(0.02);
      const job = await cluster.completion(id, RESUME_TIMEOUT, new Set());
      rehearsal().figure(
        "spot refusal: submit to start once the market allows",
        (job.start ?? 0) - submitted,
      );
    });

    it("made no AWS call the instance roles do not allow", async () => {
      const { calls } = await rehearsal().aws.report();
      expect(calls.filter((c) => c.decision !== "Allowed")).to.deep.equal([]);
    });
  },
);
