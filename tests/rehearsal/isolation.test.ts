import { expect } from "chai";
import type { InstanceReport } from "../support/rehearsal/fake-aws-client.js";
import type { Cluster } from "../support/rehearsal/cluster.js";
import { ACCESS_HOST, awsNamespace } from "../support/rehearsal/network.js";
import { probe, type Reach, type Target } from "../support/rehearsal/packet-probe.js";
import { rehearsalSuite } from "../support/rehearsal/suite.js";

/*
 * Two users' clusters in the deployment's one network, each a master and a
 * running compute node. Users are root on their own nodes, so only the
 * security groups keep one cluster from another: each cluster's nodes admit
 * one another and nothing else, and its master admits SSH from the access
 * network. Real packets, through the fake's packet filter: a TCP connection
 * to each service is open (connected), refused (reset: nothing listens) or
 * filtered (dropped: no answer). munge is not probed: munged listens on no
 * network port, only on its Unix socket (checked below), and Slurm carries
 * its credentials inside its own messages.
 */

const SECONDS_PER_MINUTE = 4;

/** What each column probes: a node of alice's and a port. */
const MASTER_PORTS = { sshd: 22, slurmctld: 6817, slurmdbd: 6819, mariadb: 3306, nfs: 2049 };
const COMPUTE_PORTS = { sshd: 22, slurmd: 6818 };

rehearsalSuite(
  "rehearsal: clusters of two users in one network",
  { name: "isolation", budgetSeconds: 420, secondsPerMinute: SECONDS_PER_MINUTE },
  (rehearsal) => {
    let alice: { master: InstanceReport; compute: InstanceReport };
    let bob: { master: InstanceReport; compute: InstanceReport };
    const columns: Array<{ label: string; target: Target }> = [];
    const matrix = new Map<string, Reach[]>();

    /** A cluster with one compute node running from the start, and its two nodes once slurmd is up. */
    async function clusterOf(
      user: string,
    ): Promise<{ master: InstanceReport; compute: InstanceReport }> {
      const cluster: Cluster = await rehearsal().createCluster(user, "iso", {
        AutoscalingPolicy: "disabled",
        ComputeInitialNodes: "1",
        ComputeMaxNodes: "1",
      });
      await rehearsal().waitFor(`${user}'s compute node to be up`, 120, async () =>
        Object.values(await cluster.nodes()).every((n) => n.state === "idle"),
      );
      const munge = await cluster.exec("root", "ss -Hlntup | grep -c munged || true");
      expect(munge.stdout.trim(), "munged listens on no network port").to.equal("0");
      const [compute] = (await cluster.computeInstances()).filter((i) => i.state === "running");
      if (compute === undefined) throw new Error(`${user}'s compute node is not running`);
      return { master: await cluster.master(), compute };
    }

    /** Probes every column from `netns` (as `source`, if given) and records the row. */
    async function row(label: string, netns: string, source = ""): Promise<Reach[]> {
      const found = await probe(
        netns,
        columns.map((c) => c.target),
        source,
      );
      matrix.set(label, found);
      return found;
    }

    const reach = (found: Reach[], label: string) =>
      found[columns.findIndex((c) => c.label === label)];

    before(async () => {
      [alice, bob] = await Promise.all([clusterOf("alice"), clusterOf("bob")]);
      for (const [name, port] of Object.entries(MASTER_PORTS))
        columns.push({ label: `master ${name}`, target: { address: alice.master.ip, port } });
      for (const [name, port] of Object.entries(COMPUTE_PORTS))
        columns.push({ label: `compute ${name}`, target: { address: alice.compute.ip, port } });
    });

    it("drops every packet from bob's nodes to alice's: sshd, slurmctld, slurmdbd, MariaDB and NFS on her master, sshd and slurmd on her compute node", async () => {
      for (const [label, node] of [
        ["bob's master", bob.master],
        ["bob's compute node", bob.compute],
      ] as const) {
        expect(await row(label, node.netns), label).to.deep.equal(columns.map(() => "filtered"));
      }
    });

    it("lets alice's nodes reach one another: her compute node her master's slurmctld and sshd, her master her compute node's slurmd and sshd", async () => {
      const fromCompute = await row("alice's compute node", alice.compute.netns);
      expect(reach(fromCompute, "master slurmctld")).to.equal("open");
      expect(reach(fromCompute, "master sshd")).to.equal("open");
      // Nothing listens there, and the reset says the packet got through.
      expect(reach(fromCompute, "master nfs")).to.equal("refused");
      const fromMaster = await row("alice's master", alice.master.netns);
      expect(reach(fromMaster, "compute slurmd")).to.equal("open");
      expect(reach(fromMaster, "compute sshd")).to.equal("open");
    });

    it("lets the access network reach alice's master's sshd only: not her slurmctld, not her compute node", async () => {
      const aws = awsNamespace(rehearsal().run.id);
      const fromAccess = await row("access host (private addresses)", aws, ACCESS_HOST);
      expect(reach(fromAccess, "master sshd")).to.equal("open");
      expect(reach(fromAccess, "master slurmctld")).to.equal("filtered");
      expect(reach(fromAccess, "compute sshd")).to.equal("filtered");
      expect(fromAccess.filter((r) => r === "open")).to.have.length(1);
      // As the user's laptop reaches it: the master's public address, through the internet gateway.
      const publicIp = alice.master.publicIp ?? "";
      const viaGateway = await probe(
        aws,
        [
          { address: publicIp, port: 22 },
          { address: publicIp, port: 6817 },
        ],
        ACCESS_HOST,
      );
      console.log(
        `      access host to ${publicIp} (alice's master): sshd ${viaGateway[0]}, slurmctld ${viaGateway[1]}`,
      );
      expect(viaGateway).to.deep.equal(["open", "filtered"]);
    });

    after(() => {
      if (matrix.size === 0) return;
      const width = Math.max(...[...matrix.keys()].map((k) => k.length));
      const cell = (text: string) => text.padEnd(18);
      console.log(
        `      ${"from \\ to alice's".padEnd(width)}  ${columns.map((c) => cell(c.label)).join("")}`,
      );
      for (const [label, found] of matrix)
        console.log(`      ${label.padEnd(width)}  ${found.map(cell).join("")}`);
    });
  },
);
