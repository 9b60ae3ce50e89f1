import { expect } from "chai";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { namesFor } from "../../stacks/settings/names.js";
import type { Cluster } from "../support/rehearsal/cluster.js";
import { ACCESS_HOST, awsNamespace } from "../support/rehearsal/network.js";
import { rehearsalSuite } from "../support/rehearsal/suite.js";

/*
 * Idle deletion on real Slurm, in compressed time: the master's idle
 * watcher (flightdeck-idle.py) puts its own cluster's .cf-delete into the
 * owner's home in the users' bucket, through the fake S3 that authorizes
 * it under the master's role, once nothing has run and nobody has been
 * logged in for IdleDeleteMinutes. A job keeps the cluster alive; so does a
 * real SSH login: the master's own sshd, and ssh from the access network's
 * host (the user's laptop) to the master's public address, through the
 * internet gateway and the login security group.
 */

const SECONDS_PER_MINUTE = 4;
const IDLE_MINUTES = 5;
const IDLE = IDLE_MINUTES * SECONDS_PER_MINUTE;
const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

rehearsalSuite(
  "rehearsal: idle deletion by the master",
  { name: "idle", budgetSeconds: 420, secondsPerMinute: SECONDS_PER_MINUTE },
  (rehearsal) => {
    const bucket = () => namesFor(rehearsal().settings).userBucket;
    const deleteRequest = (cluster: string) =>
      rehearsal().aws.getObject(bucket(), `home/alice/${cluster}.cf-delete`);

    it("keeps a cluster with a pending or running job alive past IdleDeleteMinutes, then puts home/<owner>/<cluster>.cf-delete once idle", async () => {
      const cluster = await rehearsal().createCluster("alice", "busy", {
        IdleDeleteMinutes: String(IDLE_MINUTES),
        ComputeMaxNodes: "1",
      });
      // Pending while its node boots, then running: longer than the idle time in all.
      const id = await cluster.sbatch(`-N1 -o busy-%j.out --wrap 'sleep ${2 * IDLE}'`);
      await rehearsal().waitFor(
        `job ${id} to complete`,
        240,
        async () => (await cluster.jobRecord(id)).state === "COMPLETED",
      );
      const record = await cluster.jobRecord(id);
      console.log(`      job ${id}: ${JSON.stringify(record).slice(0, 160)}`);
      expect(await deleteRequest("busy"), "deleted while a job was pending or running").to.equal(
        undefined,
      );
      const done = Date.now();
      const body = await rehearsal().waitFor("the idle master's .cf-delete", IDLE * 3, () =>
        deleteRequest("busy"),
      );
      const waited = (Date.now() - done) / 1000;
      expect(JSON.parse(body)).to.deep.equal({ reason: "idle", minutes: IDLE_MINUTES });
      expect(waited).to.be.greaterThan(IDLE * 0.8);
      rehearsal().figure(
        "last job done to .cf-delete",
        waited,
        `IdleDeleteMinutes ${IDLE_MINUTES}`,
      );
      const log = await cluster.exec(
        "root",
        "cat /var/log/fdr-units/flightdeck-idle.service.log || true",
      );
      console.log(`      ${log.stdout.trim().split("\n").slice(-3).join("\n      ")}`);
    });

    it("keeps a cluster alive while its user is logged in over SSH, then puts its .cf-delete once they log out", async () => {
      const cluster = await rehearsal().createCluster("alice", "login", {
        IdleDeleteMinutes: String(IDLE_MINUTES),
      });
      const session = await sshSession(cluster, rehearsal().run.dir, rehearsal().run.id);
      try {
        await sleep(IDLE * 1.6);
        const seen = await cluster.exec("root", "who; ps -eo args= | grep '^sshd: ' || true");
        console.log(`      on the master: ${seen.stdout.trim().split("\n").join(" | ")}`);
        expect(seen.stdout).to.match(new RegExp(`sshd: ${cluster.account}`));
        expect(await deleteRequest("login"), "deleted while the user was logged in").to.equal(
          undefined,
        );
      } finally {
        session.kill("SIGTERM");
      }
      const out = Date.now();
      const body = await rehearsal().waitFor(
        "the idle master's .cf-delete after logout",
        IDLE * 3,
        () => deleteRequest("login"),
      );
      expect(JSON.parse(body)).to.deep.equal({ reason: "idle", minutes: IDLE_MINUTES });
      expect((Date.now() - out) / 1000).to.be.greaterThan(IDLE * 0.8);
      rehearsal().pass();
    });
  },
);

/**
 * A real SSH login to the master's sshd (day-one.sh starts it), with a fresh
 * keypair of the user's, and `ssh -tt` (a terminal, so a utmp session too)
 * from the access host to the master's public address, holding the session
 * open. Bounded: the ssh process ends with the test.
 */
async function sshSession(cluster: Cluster, runDir: string, runId: string): Promise<ChildProcess> {
  const dir = join(runDir, "ssh");
  mkdirSync(dir, { recursive: true });
  const key = join(dir, "id_ed25519");
  spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key], { stdio: "ignore" });
  const publicKey = readFileSync(`${key}.pub`, "utf8").trim();
  const login = cluster.account;
  const setup = await cluster.exec(
    "root",
    [
      // The node's /dev has no pseudo-terminals of its own: give it some, as a VM has.
      "mkdir -p /dev/pts && (mountpoint -q /dev/pts || mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts) && ln -sf pts/ptmx /dev/ptmx",
      "touch /run/utmp /var/log/wtmp",
      `printf '%s\\n' '${publicKey}' >>/home/${login}/.ssh/authorized_keys`,
    ].join(" && "),
  );
  if (setup.status !== 0) throw new Error(`cannot prepare the SSH login: ${setup.stderr}`);
  const address = (await cluster.master()).publicIp ?? "";
  const session = spawn(
    "timeout",
    [
      "300",
      "nsenter",
      `--net=/var/run/netns/${awsNamespace(runId)}`,
      "ssh",
      "-tt",
      "-b",
      ACCESS_HOST,
      "-i",
      key,
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-o",
      "BatchMode=yes",
      `${login}@${address}`,
      "sleep 290",
    ],
    { stdio: ["pipe", "ignore", "pipe"] },
  );
  let errors = "";
  session.stderr?.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  // Logged in once sshd has a session process for the login.
  for (let i = 0; i < 40; i += 1) {
    const seen = await cluster.exec("root", `pgrep -f '^sshd: ${login}' || true`);
    if (seen.stdout.trim() !== "") return session;
    if (session.exitCode !== null) break;
    await sleep(0.5);
  }
  session.kill("SIGKILL");
  const log = await cluster.exec("root", "tail -5 /var/log/fdr-units/ssh.service.log || true");
  throw new Error(`ssh login failed: ${errors.trim()} / sshd: ${log.stdout.trim()}`);
}
