import { expect } from "chai";
import { namesFor } from "../../stacks/settings/names.js";
import type { Cluster } from "../support/rehearsal/cluster.js";
import { DOTTED_USER } from "../support/rehearsal/deployment.js";
import { rehearsalSuite } from "../support/rehearsal/suite.js";

/*
 * What a researcher does first on a new cluster, on one cluster booted once:
 * an MPI hello across two nodes, ssh between the nodes, a job held to the
 * memory and cores it asked for, sacct, /scratch, results copied out to the
 * FlightDeck bucket (and nowhere else), and the login message.
 */

const SECONDS_PER_MINUTE = 6;

const HELLO_C = String.raw`#include <mpi.h>
#include <stdio.h>
int main(int argc, char **argv) {
  int rank, size, length;
  char name[MPI_MAX_PROCESSOR_NAME];
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Get_processor_name(name, &length);
  int sum = 0;
  MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  printf("hello from rank %d of %d on %s (sum of ranks %d)\n", rank, size, name, sum);
  MPI_Finalize();
  return 0;
}
`;

rehearsalSuite(
  "rehearsal: day one on a new cluster",
  { name: "day-one", budgetSeconds: 700, secondsPerMinute: SECONDS_PER_MINUTE },
  (rehearsal) => {
    let cluster: Cluster;
    const userBucket = () => namesFor(rehearsal().settings).userBucket;
    const finished: string[] = [];

    /** Submits a job and waits for it to end; returns its id and final state. */
    async function runJob(args: string, seconds = 240): Promise<{ id: string; state: string }> {
      const id = await cluster.sbatch(args);
      finished.push(id);
      const state = await rehearsal().waitFor(`job ${id} to end`, seconds, async () => {
        const found = await cluster.jobState(id);
        return found !== undefined &&
          !["PENDING", "CONFIGURING", "RUNNING", "COMPLETING"].includes(found)
          ? found
          : undefined;
      });
      return { id, state };
    }

    before(async () => {
      await rehearsal().aws.createBucket(userBucket());
      cluster = await rehearsal().createCluster(DOTTED_USER, "dayone", {
        ComputeInstanceType: "medium",
        ComputeMaxNodes: "2",
      });
    });

    it("runs an MPI hello on 2 nodes through srun --mpi=pmix, a line from each rank", async () => {
      await cluster.login(`cat > hello.c <<'EOF'\n${HELLO_C}EOF\nmpicc -o hello hello.c`);
      const { id, state } = await runJob("-N2 -n4 -o mpi-%j.out --wrap 'srun --mpi=pmix ./hello'");
      const out = await cluster.login(`cat mpi-${id}.out`);
      console.log(out.replace(/^/gm, "      "));
      expect(state).to.equal("COMPLETED");
      const lines = out.split("\n").filter((l) => l.startsWith("hello from rank"));
      expect(
        lines.map((l) => /rank (\d) of 4 on (\S+) \(sum of ranks 6\)/.exec(l)?.[1]).sort(),
      ).to.deep.equal(["0", "1", "2", "3"]);
      const hosts = new Set(lines.map((l) => /on (compute-\d)/.exec(l)?.[1]));
      expect([...hosts].sort()).to.deep.equal(["compute-1", "compute-2"]);
    });

    it("lets the user ssh from the master to a compute node and between compute nodes", async () => {
      const hold = await cluster.sbatch("-N2 -o hold-%j.out --wrap 'sleep 300'");
      await rehearsal().waitFor(
        "both nodes to be allocated",
        120,
        async () => (await cluster.job(hold))?.state === "RUNNING",
      );
      const fromMaster = await cluster.login("ssh compute-1 hostname");
      const between = await cluster.login("ssh compute-1 ssh compute-2 hostname");
      console.log(`      ssh compute-1 hostname: ${fromMaster.trim()}`);
      console.log(`      ssh compute-1 ssh compute-2 hostname: ${between.trim()}`);
      await cluster.login(`scancel ${hold}`);
      expect(fromMaster.trim()).to.equal("compute-1");
      expect(between.trim()).to.equal("compute-2");
      // One host key on every node, derived from the stack's secret: one line names them all.
      const known = await cluster.exec("root", "cat /etc/ssh/ssh_known_hosts");
      expect(known.stdout).to.match(
        /^compute-\*,ip-10-0-\d+-\d+,10\.0\.\d+\.\d+ ssh-ed25519 \S+$/m,
      );
      const [node] = (await cluster.computeInstances()).filter((i) => i.state === "running");
      if (node === undefined) throw new Error("no compute node running");
      const keys = await Promise.all(
        [await cluster.master(), node].map(
          async (n) =>
            (await cluster.execOn(n, "root", "cut -d' ' -f2 /etc/ssh/ssh_host_ed25519_key.pub"))
              .stdout,
        ),
      );
      expect(keys[0]).to.equal(keys[1]);
      expect(known.stdout).to.include(keys[0]?.trim());
    });

    it("kills a job that uses more memory than it asked for (500 MB, 1 core)", async () => {
      const { id, state } = await runJob(
        `--mem=500M -c1 -o hog-%j.out --wrap "python3 -c \\"x = b'x' * (1536 << 20); print('allocated')\\""`,
      );
      const out = await cluster.login(`cat hog-${id}.out`);
      console.log(`      job ${id}: ${state}; ${out.trim().split("\n").at(-1)}`);
      expect(state).to.equal("OUT_OF_MEMORY");
      expect(out).to.not.include("allocated");
    });

    it("confines a job that asked for 1 core to one of the node's 2: two busy loops share it", async () => {
      await cluster.login(`cat > cpu-hog.sh <<'EOF'
#!/bin/bash
nproc
grep Cpus_allowed_list /proc/self/status
grep cpuset /proc/self/cgroup
TIMEFORMAT='cpu seconds: %U'
time { for i in 1 2; do timeout 3 sh -c 'while :; do :; done' & done; wait; }
EOF`);
      const { id, state } = await runJob("-c1 -o cpu-%j.out cpu-hog.sh");
      const out = await cluster.login(`cat cpu-${id}.out`);
      console.log(out.replace(/^/gm, "      "));
      expect(state).to.equal("COMPLETED");
      expect(out.split("\n")[0]).to.equal("1");
      expect(out).to.match(/Cpus_allowed_list:\s+[01]\n/);
      expect(out).to.match(/cpuset:\/slurm(_compute-\d)?\/uid_\d+\/job_\d+\/step_batch/);
      // Two loops of 3 s on one core use 3 cpu seconds between them; on two cores, 6.
      expect(Number(/cpu seconds: ([\d.]+)/.exec(out)?.[1])).to.be.below(4);
    });

    it("gives the user a writable /scratch on a compute node", async () => {
      const { id, state } = await runJob(
        `-o scratch-%j.out --wrap 'touch /scratch/mine-$SLURM_JOB_ID && ls -ld /scratch && ls /scratch'`,
      );
      const out = await cluster.login(`cat scratch-${id}.out`);
      console.log(out.replace(/^/gm, "      "));
      expect(state).to.equal("COMPLETED");
      expect(out).to.match(/^drwxrwxrwt/m);
      expect(out).to.include(`mine-${id}`);
    });

    it("lists the finished jobs in sacct, with states, exit codes and memory", async () => {
      const out = await rehearsal().waitFor("sacct to list every job", 60, async () => {
        const text = await cluster.login(
          `sacct -n -P -X -j ${finished.join(",")} -o JobID,JobName,State,ExitCode,Elapsed,AllocCPUS,ReqMem`,
        );
        return text.trim().split("\n").length === finished.length ? text : undefined;
      });
      console.log(out.replace(/^/gm, "      "));
      const states = Object.fromEntries(
        out
          .trim()
          .split("\n")
          .map((line) => {
            const [job = "", , state = ""] = line.split("|");
            return [job, state];
          }),
      );
      expect(Object.keys(states).sort()).to.deep.equal([...finished].sort());
      expect(Object.values(states)).to.include("COMPLETED");
      expect(Object.values(states)).to.include("OUT_OF_MEMORY");
    });

    it("copies a folder to home/John.Smith/results/dayone/ with flightdeck-sync, and can write nowhere else", async () => {
      await cluster.login(
        "mkdir -p run1/logs && echo 42 > run1/answer.txt && echo done > run1/logs/end.log",
      );
      const copied = await cluster.login("flightdeck-sync run1");
      console.log(copied.replace(/^/gm, "      "));
      const objects = await rehearsal().aws.listObjects(userBucket(), "home/John.Smith/results/");
      expect(objects).to.deep.equal({
        "home/John.Smith/results/dayone/run1/answer.txt": "42\n",
        "home/John.Smith/results/dayone/run1/logs/end.log": "done\n",
      });
      for (const key of [
        "home/bob/results/dayone/answer.txt",
        "home/John.Smith/results/other-cluster/answer.txt",
        // A trigger: its own .cf-delete is the idle watcher's one other key.
        "home/John.Smith/dayone.cf-create",
        "home/john_smith/results/dayone/answer.txt",
      ]) {
        const denied = await cluster.exec(
          cluster.account,
          `set -a; . /etc/flightdeck/boot.env; python3 /opt/flightdeck/flightdeck-aws.py put-object ${userBucket()} ${key} run1/answer.txt`,
        );
        console.log(
          `      put ${key}: exit ${denied.status}: ${denied.stderr.trim().split("\n").at(-1)}`,
        );
        expect(denied.status, key).to.not.equal(0);
        expect(denied.stderr, key).to.include("AccessDenied");
      }
      expect(Object.keys(await rehearsal().aws.listObjects(userBucket(), ""))).to.have.length(2);
    });

    it("shows the cluster, its limits and how to copy results out in the login message", async () => {
      const motd = await cluster.login("cat /etc/motd");
      console.log(motd.replace(/^/gm, "      "));
      expect(motd).to.include('FlightDeck cluster "dayone"');
      expect(motd).to.include("up to 2 x m7i.xlarge-4C-16GB");
      expect(motd).to.match(
        /Lifetime: deleted after \d+ minutes with no job and nobody logged in,/,
      );
      expect(motd).to.include("flightdeck extend");
      expect(motd).to.include("flightdeck-sync <folder>");
      expect(motd).to.include(`s3://${userBucket()}/home/John.Smith/results/dayone/`);
    });

    it("made no AWS call the roles do not allow, but the four writes refused on purpose", async () => {
      const { calls } = await rehearsal().aws.report();
      const denied = calls.filter((c) => c.decision !== "Allowed").map((c) => c.resource);
      expect(denied.sort()).to.deep.equal(
        [
          `arn:aws:s3:::${userBucket()}/home/John.Smith/dayone.cf-create`,
          `arn:aws:s3:::${userBucket()}/home/John.Smith/results/other-cluster/answer.txt`,
          `arn:aws:s3:::${userBucket()}/home/bob/results/dayone/answer.txt`,
          `arn:aws:s3:::${userBucket()}/home/john_smith/results/dayone/answer.txt`,
        ].sort(),
      );
    });
  },
);
