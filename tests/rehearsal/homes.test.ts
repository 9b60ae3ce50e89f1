import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { namesFor } from "../../stacks/settings/names.js";
import type { Cluster } from "../support/rehearsal/cluster.js";
import { probe } from "../support/rehearsal/packet-probe.js";
import { rehearsalSuite } from "../support/rehearsal/suite.js";

/*
 * Each user's home is their own EFS file system, built once by the
 * deployment: every node of every cluster of theirs mounts it at
 * /home/<login>, so what they leave there outlives each cluster (an idle
 * one deleting itself included) and two clusters of theirs share it at
 * once. Nobody else's nodes reach it: its mount targets admit NFS only from
 * the home's client security group, which only the owner's instances carry.
 * Real packets decide (the fake's packet filter); root on bob's node can
 * resolve alice's file system's name, but its mount times out.
 */

const SECONDS_PER_MINUTE = 4;
const IDLE_MINUTES = 3;
const IDLE = IDLE_MINUTES * SECONDS_PER_MINUTE;

rehearsalSuite(
  "rehearsal: the users' homes",
  { name: "homes", budgetSeconds: 480, secondsPerMinute: SECONDS_PER_MINUTE },
  (rehearsal) => {
    let c2: Cluster;
    const note = `written on c1 at ${new Date().toISOString()}`;

    it("keeps alice's file, her UID its owner, from a cluster that deleted itself when idle to her next one", async () => {
      const home = rehearsal().home("alice");
      const c1 = await rehearsal().createCluster("alice", "c1", {
        IdleDeleteMinutes: String(IDLE_MINUTES),
      });
      const fstab = await c1.exec(
        "root",
        "grep ' /home/alice ' /etc/fstab; mountpoint /home/alice",
      );
      console.log(`      c1: ${fstab.stdout.trim().replace(/\n/g, "; ")}`);
      expect(fstab.stdout).to.include(
        `${home.fileSystemId}.efs.eu-west-2.amazonaws.com:/ /home/alice nfs4`,
      );
      expect(fstab.stdout).to.include("/home/alice is a mountpoint");
      await c1.login(`echo '${note}' > notes.txt`);
      expect((await c1.login("stat -c '%u %g' notes.txt")).trim()).to.equal(
        `${home.uid} ${home.uid}`,
      );
      // On the file system itself, as EFS keeps it.
      expect(statSync(join(home.folder, "notes.txt")).uid).to.equal(Number(home.uid));

      const bucket = namesFor(rehearsal().settings).userBucket;
      const request = await rehearsal().waitFor("c1's idle master's .cf-delete", IDLE * 4, () =>
        rehearsal().aws.getObject(bucket, "home/alice/c1.cf-delete"),
      );
      expect(JSON.parse(request)).to.deep.equal({ reason: "idle", minutes: IDLE_MINUTES });
      // What cf-delete then does: delete the stack.
      expect((await c1.delete()).status).to.equal("DELETE_COMPLETE");
      expect((await c1.instances()).every((i) => i.state === "terminated")).to.equal(true);

      const created = Date.now();
      c2 = await rehearsal().createCluster("alice", "c2", {});
      rehearsal().figure(
        "alice's next cluster: CreateStack to CREATE_COMPLETE",
        (Date.now() - created) / 1000,
      );
      expect(await c2.login("cat notes.txt")).to.equal(`${note}\n`);
      expect((await c2.login("stat -c '%u %g' notes.txt")).trim()).to.equal(
        `${home.uid} ${home.uid}`,
      );
    });

    it("shares alice's home between two of her clusters at once: a file written on one is read on the other", async () => {
      const c3 = await rehearsal().createCluster("alice", "c3", {});
      await c3.login("echo 'from c3' > shared.txt");
      expect(await c2.login("cat shared.txt")).to.equal("from c3\n");
      await c2.login("echo 'from c2' >> shared.txt");
      expect(await c3.login("cat shared.txt")).to.equal("from c3\nfrom c2\n");
      expect((await c3.delete()).status).to.equal("DELETE_COMPLETE");
      expect(await c2.login("cat shared.txt")).to.equal("from c3\nfrom c2\n");
    });

    it("keeps bob out of alice's home: root on bob's master resolves her file system but its mount times out, and her mount target drops his packets", async () => {
      const alice = rehearsal().home("alice");
      const bobHome = rehearsal().home("bob");
      const bob = await rehearsal().createCluster("bob", "b1", {});
      const name = `${alice.fileSystemId}.efs.eu-west-2.amazonaws.com`;
      const resolved = await bob.exec("root", `getent hosts ${name}`);
      const bobMaster = await bob.master();
      const target = alice.mountTargets[bobMaster.zone] ?? "";
      expect(resolved.stdout.split(/\s+/)[0], "EFS's name resolves for anyone in the VPC").to.equal(
        target,
      );

      const started = Date.now();
      const mount = await bob.exec(
        "root",
        `mkdir -p /mnt/x && mount -t nfs4 ${name}:/ /mnt/x`,
        120,
      );
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `      bob's master: mount -t nfs4 ${name}:/ /mnt/x: exit ${mount.status} after ${seconds.toFixed(1)} s: ${mount.stderr.trim()}`,
      );
      expect(mount.status).to.not.equal(0);
      expect(mount.stderr).to.include("mount.nfs4: Connection timed out");
      const after = await bob.exec("root", "mountpoint /mnt/x; ls -A /mnt/x | wc -l");
      expect(after.stdout).to.equal("/mnt/x is not a mountpoint\n0\n");

      // Bob's own home works, and holds his files only.
      await bob.login("echo 'bob was here' > mine.txt");
      expect(readFileSync(join(bobHome.folder, "mine.txt"), "utf8")).to.equal("bob was here\n");
      expect(statSync(join(bobHome.folder, "mine.txt")).uid).to.equal(Number(bobHome.uid));
      expect(() => statSync(join(alice.folder, "mine.txt"))).to.throw();

      // NFS to alice's mount target: dropped from bob's node, answered from alice's.
      const aliceMaster = await c2.master();
      const fromBob = await probe(bobMaster.netns, [
        { address: target, port: 2049 },
        { address: bobHome.mountTargets[bobMaster.zone] ?? "", port: 2049 },
      ]);
      const fromAlice = await probe(aliceMaster.netns, [{ address: target, port: 2049 }]);
      console.log(
        `      tcp ${target}:2049 (alice's mount target) from bob's master: ${fromBob[0]}; from alice's: ${fromAlice[0]}; bob's own from his: ${fromBob[1]}`,
      );
      expect(fromBob).to.deep.equal(["filtered", "open"]);
      expect(fromAlice).to.deep.equal(["open"]);
    });
  },
);
