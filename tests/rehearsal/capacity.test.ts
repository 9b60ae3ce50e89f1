import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Cluster } from "../support/rehearsal/cluster.js";
import type { InstanceReport } from "../support/rehearsal/fake-aws-client.js";
import { rehearsalSuite } from "../support/rehearsal/suite.js";

/*
 * Capacity that does not strand jobs: the compute groups launch several
 * types across both zones, nodes drain and requeue on a spot interruption
 * notice, instances nobody asked for are claimed or terminated, a type
 * without capacity gives way to another, and spot that fails for
 * SpotFallbackMinutes gives way to on-demand where the user's limits allow
 * it. New faults of the fake (fake-aws/): capacity limits per market, type
 * and zone (world.ts), EC2's reclaim with its notice in the metadata
 * (ec2.ts, imds.ts), and pools that allocation avoids once short
 * (auto-scaling.ts).
 *
 * alice has the example's limits (a spot price limit, so no on-demand);
 * bob's admin allows him on-demand.
 */

const SECONDS_PER_MINUTE = 4;
const minutes = (n: number) => n * SECONDS_PER_MINUTE;
const BACKOFF = minutes(10);
const CAPACITY_RETRY = minutes(2);
const FALLBACK = minutes(10);
const CLAIM = minutes(3);
const OUTAGE_MINUTES = 20;

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

rehearsalSuite(
  "rehearsal: capacity that does not strand jobs",
  {
    name: "capacity",
    budgetSeconds: 1500,
    secondsPerMinute: SECONDS_PER_MINUTE,
    userLimits: { bob: { allowOnDemand: true } },
  },
  (rehearsal) => {
    let spotOnly: Cluster;
    let fallback: Cluster;
    // The outage's job on alice's cluster, which waits while bob's falls back,
    // and what her cluster showed meanwhile (watched from the outage's start).
    let spotJobId = "";
    let outageEnds = 0;
    let outageSubmitted = 0;
    const spotOnlyReasons = new Set<string>();
    const spotOnlyStates = new Set<string>();
    let spotOnlyWatch: NodeJS.Timeout | undefined;
    const watchSpotOnly = async () => {
      for (const reason of Object.values(await spotOnly.nodeReasons())) spotOnlyReasons.add(reason);
      spotOnlyStates.add((await spotOnly.jobRecord(spotJobId)).state);
    };
    const live = async (cluster: Cluster) =>
      (await cluster.computeInstances()).filter((i) => i.state !== "terminated");

    /** The instance a node ran on last, by its name tag. */
    async function instanceOf(cluster: Cluster, node: string): Promise<InstanceReport> {
      const found = (await cluster.computeInstances())
        .filter((i) => i.tags["flightdeck-node"] === node)
        .sort((a, b) => b.launchedAt - a.launchedAt)[0];
      if (found === undefined) throw new Error(`no instance for ${node}`);
      return found;
    }

    after(() => clearInterval(spotOnlyWatch));

    before(async () => {
      [spotOnly, fallback] = await Promise.all([
        rehearsal().createCluster("alice", "spotty", {
          ComputeInstanceType: "other",
          ComputeInstanceTypeOther: "c7i.large-2C-4GB",
          ComputeInstanceTypes: "c7i.large,m7i.large",
          ComputeMaxNodes: "4",
        }),
        rehearsal().createCluster("bob", "fallback", {
          ComputeInstanceType: "other",
          ComputeInstanceTypeOther: "c7i.large-2C-4GB",
          ComputeMaxNodes: "2",
        }),
      ]);
    });

    it("spreads each cluster's compute groups over both zones and the types of one shape", async () => {
      const { groups } = await rehearsal().aws.report();
      const named = (name: string) => groups.find((g) => g.name === name);
      const alice = named(`${spotOnly.stackName}-compute`);
      expect(alice?.instanceTypes).to.deep.equal(["c7i.large", "m7i.large"]);
      expect(alice?.market).to.equal("spot");
      expect(alice?.subnetIds).to.have.length(2);
      expect(
        named(`${spotOnly.stackName}-compute-on-demand`),
        "alice's limits: spot only",
      ).to.equal(undefined);
      // bob named one type: the defaults of its shape his admin allows.
      expect(named(`${fallback.stackName}-compute`)?.instanceTypes).to.deep.equal([
        "c7i.large",
        "m7i.large",
        "r4.large",
        "r7i.large",
      ]);
      const onDemand = named(`${fallback.stackName}-compute-on-demand`);
      expect(onDemand?.market).to.equal("on-demand");
      expect(onDemand?.desired).to.equal(0);
      const motd = await fallback.login("cat /etc/motd");
      console.log(
        `      ${motd
          .split("\n")
          .find((line) => line.includes("Instances:"))
          ?.trim()}`,
      );
      expect(motd).to.include("on-demand after 10 minutes without spot");
    });

    it(`with no spot for ${OUTAGE_MINUTES} simulated minutes and on-demand allowed, starts the job on on-demand within SpotFallbackMinutes and a boot`, async () => {
      const { until } = await rehearsal().aws.limitCapacity({
        market: "spot",
        limit: 0,
        minutes: OUTAGE_MINUTES,
      });
      const submitted = Date.now() / 1000;
      const [onDemandJob, spotJob] = await Promise.all([
        fallback.sbatch("-N1 -o od-%j.out --wrap hostname"),
        spotOnly.sbatch("-N1 -o wait-%j.out --wrap hostname"),
      ]);
      spotJobId = spotJob;
      outageEnds = (until ?? 0) / 1000;
      outageSubmitted = submitted;
      spotOnlyWatch = setInterval(() => void watchSpotOnly().catch(() => undefined), 2000);
      const reasons = new Set<string>();
      const job = await fallback.completion(onDemandJob, FALLBACK + 180, reasons);
      const report = await rehearsal().aws.report();
      const node = job.nodes;
      const instance = await instanceOf(fallback, node);
      expect(instance.market, "the job's instance").to.equal("on-demand");
      expect(instance.group).to.equal(`${fallback.stackName}-compute-on-demand`);
      const failures = report.activities.filter(
        (a) => a.group === `${fallback.stackName}-compute` && a.status === "Failed",
      );
      const firstFailure = Math.min(...failures.map((a) => a.start)) / 1000;
      const fellBack = instance.launchedAt / 1000 - firstFailure;
      const text = [...reasons].join("\n");
      expect(text).to.match(/spot capacity: InsufficientInstanceCapacity/);
      expect(text).to.match(/on-demand if spot still fails at/);
      console.log(`      sinfo -R meanwhile: ${[...reasons][0]}`);
      expect(fellBack, "first spot failure to the on-demand launch").to.be.within(
        FALLBACK - 2,
        FALLBACK + CAPACITY_RETRY + 5,
      );
      expect((job.start ?? 0) - submitted).to.be.below(FALLBACK + 120);
      rehearsal().figure("fallback: first spot failure to on-demand launch", fellBack);
      rehearsal().figure(
        "fallback: on-demand launch to job start (a boot)",
        (job.start ?? 0) - instance.launchedAt / 1000,
      );
      rehearsal().figure(
        "fallback: submit to start on on-demand",
        (job.start ?? 0) - submitted,
        `${failures.length} failed spot attempts`,
      );
    });

    it("with on-demand not allowed, waits with a reason saying why and what to do, and starts when spot returns", async () => {
      const reasons = spotOnlyReasons;
      const states = spotOnlyStates;
      const job = await rehearsal().waitFor(
        `job ${spotJobId} to complete`,
        OUTAGE_MINUTES * SECONDS_PER_MINUTE + 240,
        async () => {
          await watchSpotOnly();
          const record = await spotOnly.jobRecord(spotJobId);
          return record.state === "COMPLETED" ? record : undefined;
        },
      );
      clearInterval(spotOnlyWatch);
      const text = [...reasons].join("\n");
      expect(text).to.match(/spot capacity: InsufficientInstanceCapacity/);
      expect(text).to.include("on-demand is not allowed for you (allowOnDemand)");
      console.log(
        `      sinfo -R meanwhile: ${[...reasons].find((r) => r.includes("allowOnDemand"))}`,
      );
      console.log(`      the job meanwhile: ${[...states].join(", ")}`);
      // It kept its node, waiting for an instance: never requeued.
      expect(job.restarts).to.equal(0);
      expect(job.start ?? 0, "started once spot returned").to.be.at.least(outageEnds - 1);
      const report = await rehearsal().aws.report();
      const attempts = report.activities.filter(
        (a) =>
          a.group === `${spotOnly.stackName}-compute` &&
          a.status === "Failed" &&
          a.start / 1000 >= outageSubmitted,
      ).length;
      // Auto Scaling's own retries (the fake's: once a simulated minute); the master adds none.
      expect(attempts).to.be.within(1, OUTAGE_MINUTES + 3);
      rehearsal().figure("spot back: outage end to start", (job.start ?? 0) - outageEnds);
      console.log(`      failed spot attempts over ${OUTAGE_MINUTES} simulated min: ${attempts}`);
      await rehearsal().aws.clearCapacityLimits();
    });

    it("runs the job on the other type when the first has no capacity, within one backoff", async () => {
      // The scenario before left every pool short; the group tries short pools last for 10
      // simulated minutes (SHORT_POOL_MINUTES in the fake). Once that has passed, the only
      // failures are this scenario's own.
      await sleep(BACKOFF);
      await rehearsal().aws.limitCapacity({ market: "spot", type: "c7i.large", limit: 0 });
      const submitted = Date.now() / 1000;
      // A node never used yet, so that its instance is a new launch.
      const id = await spotOnly.sbatch("-w compute-3 -o ice-%j.out --wrap hostname");
      const reasons = new Set<string>();
      const job = await spotOnly.completion(id, BACKOFF + 180, reasons);
      const instance = await instanceOf(spotOnly, "compute-3");
      expect(instance.instanceType).to.equal("m7i.large");
      const report = await rehearsal().aws.report();
      const failed = report.activities.filter(
        (a) =>
          a.group === `${spotOnly.stackName}-compute` &&
          a.status === "Failed" &&
          a.start / 1000 >= submitted,
      );
      expect(failed, "one failed attempt").to.have.length(1);
      const failedAt = (failed[0]?.start ?? 0) / 1000;
      const retried = instance.launchedAt / 1000 - failedAt;
      expect(retried, "failure to the next launch").to.be.below(BACKOFF);
      expect([...reasons].join("\n")).to.include("InsufficientInstanceCapacity");
      rehearsal().figure("no capacity for one type: failure to the next type's launch", retried);
      rehearsal().figure("no capacity for one type: submit to start", (job.start ?? 0) - submitted);
      await rehearsal().aws.clearCapacityLimits();
    });

    it("requeues a busy node's job on a spot interruption notice, and completes it on a replacement", async () => {
      const id = await spotOnly.sbatch(
        "--requeue -o long-%j.out --wrap 'for i in $(seq 40); do echo $i; sleep 1; done'",
      );
      const busy = await rehearsal().waitFor(`job ${id} to run`, 240, async () => {
        const record = await spotOnly.jobRecord(id);
        return record.state === "RUNNING" ? record.nodes : undefined;
      });
      await sleep(3);
      const reclaimed = await instanceOf(spotOnly, busy);
      const noticed = Date.now() / 1000;
      await rehearsal().aws.reclaim(reclaimed.id, 2);
      let requeued = 0;
      let drainReason = "";
      await rehearsal().waitFor(`job ${id} to be requeued`, 60, async () => {
        const record = await spotOnly.jobRecord(id);
        drainReason ||= (await spotOnly.nodeReasons())[busy] ?? "";
        if (record.restarts >= 1) requeued = Date.now() / 1000;
        return record.restarts >= 1 ? true : undefined;
      });
      const job = await spotOnly.completion(id, 300, new Set());
      // The reason stands only while the node drains, which can end before a poll sees it;
      // slurmctld's log keeps it.
      const master = await spotOnly.master();
      const log = readFileSync(join(master.dir, "log", "slurm", "slurmctld.log"), "utf8");
      drainReason ||=
        new RegExp(`node ${busy} reason set to: (spot interruption: .*)`).exec(log)?.[1] ?? "";
      expect(drainReason).to.match(/^spot interruption: AWS terminates this instance at /);
      console.log(`      sinfo -R: ${busy} ${drainReason}`);
      const history = await spotOnly.login(
        `sacct -j ${id} --duplicates -n -P -o JobID,State,NodeList`,
      );
      console.log(`      sacct --duplicates:\n${history.trim().replace(/^/gm, "        ")}`);
      // slurmctld's record proves the requeue (its restart count). Slurm 22.05's accounting does
      // not always keep a REQUEUED row for a job requeued with scontrol seconds into its run: in
      // two runs sacct showed only the run that completed.
      expect(job.restarts, "requeued, by slurmctld's record").to.be.at.least(1);
      expect(history).to.match(/COMPLETED/);
      const after = (await spotOnly.computeInstances()).find((i) => i.id === reclaimed.id);
      expect(after?.state).to.equal("terminated");
      // Powered down and out of sinfo -R: ready to resume on a new instance.
      await rehearsal().waitFor(`${busy} back in service, powered down`, 60, async () => {
        const node = (await spotOnly.nodes())[busy];
        const listed = (await spotOnly.nodeReasons())[busy];
        return node !== undefined && /^idle[~%]?$/.test(node.state) && listed === undefined
          ? true
          : undefined;
      });
      rehearsal().figure("reclaim notice to job requeued", requeued - noticed);
      rehearsal().figure("reclaim notice to job restarted", (job.start ?? 0) - noticed);
    });

    it("claims or terminates within a few minutes an instance the group launched on its own", async () => {
      const id = await spotOnly.sbatch(
        "-o lost-%j.out --wrap 'for i in $(seq 30); do echo $i; sleep 1; done'",
      );
      const busy = await rehearsal().waitFor(`job ${id} to run`, 240, async () => {
        const record = await spotOnly.jobRecord(id);
        return record.state === "RUNNING" ? record.nodes : undefined;
      });
      const lost = await instanceOf(spotOnly, busy);
      const lostAt = Date.now();
      // Reclaimed without a notice: the group replaces it on its own.
      await rehearsal().aws.reclaim(lost.id, 0);
      const job = await spotOnly.completion(id, 300, new Set());
      expect(job.restarts, "requeued").to.be.at.least(1);
      await sleep(CLAIM + 10);
      const launchedAfter = (await spotOnly.computeInstances()).filter(
        (i) => i.launchedAt >= lostAt,
      );
      expect(launchedAfter.length, "the group's replacement").to.be.at.least(1);
      for (const instance of launchedAfter) {
        const claimed = instance.tags["flightdeck-node"] !== undefined;
        const ended = instance.state === "terminated";
        expect(claimed || ended, `${instance.id} claimed or terminated`).to.equal(true);
        if (!claimed) {
          const life = ((instance.terminatedAt ?? 0) - instance.launchedAt) / 1000;
          expect(life, "unclaimed for at most the claim timeout").to.be.below(CLAIM + 10);
          rehearsal().figure("unclaimed replacement: launch to terminated", life);
        } else {
          console.log(
            `      the replacement ${instance.id} was claimed by ${instance.tags["flightdeck-node"]}`,
          );
        }
      }
    });

    it("leaves no unclaimed compute instance running, and made no AWS call the roles do not allow", async () => {
      for (const cluster of [spotOnly, fallback]) {
        for (const instance of await live(cluster)) {
          expect(instance.tags["flightdeck-node"], `${instance.id} is claimed`).to.be.a("string");
        }
      }
      const { calls } = await rehearsal().aws.report();
      expect(calls.filter((c) => c.decision !== "Allowed")).to.deep.equal([]);
    });
  },
);
