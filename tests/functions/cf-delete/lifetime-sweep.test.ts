import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { expect } from "chai";
import { parseLifetimeBody } from "../../../functions/shared/lifetime-files.js";
import { clusterStates } from "../../../cli/cluster-state.js";
import { SERVICE_ROLE_ARN, USER_BUCKET, type LocalAws } from "../../support/local-aws.js";
import { localPolicy } from "../../support/local-policy.js";
import { sweepAws } from "../../support/sweep-world.js";
import { injectClock, type InjectedClock } from "../../support/injected-clock.js";

/*
 * The lifetime sweep through the BUILT cf-delete bundle, loaded in-process
 * over s3rver, dynalite and the fake CloudFormation, with the clock
 * injected: sinon fakes `Date` only (timers stay real, so the SDK's retries
 * and the servers keep working), and the test moves it on by hours.
 */

const HOUR = 3600e3;
const MINUTE = 60e3;

const policy = localPolicy({
  limits: { maxComputeNodes: 30, lifetimeHours: 4, maxLifetimeHours: 8, maxRequestsPerMinute: 50 },
  users: { alice: { email: "alice@example.org" }, bob: {} },
});

const OURS = { ManagedBy: "flightdeck", FlightDeckDeployment: "fdtest" };

describe("cf-delete: the lifetime sweep (built bundle, injected clock)", function () {
  this.timeout(120_000);
  let aws: LocalAws;
  let clock: InjectedClock;
  let t0: number;

  beforeEach(async () => {
    aws = sweepAws(policy, ["alice", "bob"]);
    await aws.start();
    t0 = Date.now();
    clock = injectClock(t0);
  });
  afterEach(async () => {
    clock.restore();
    await aws.stop();
  });

  /** Moves the injected clock to `offset` ms after the test's start. */
  const at = async (offset: number) => clock.set(t0 + offset);

  /** A running cluster of `user`, created through the bundles at the current clock. */
  async function running(user: string, cluster: string): Promise<void> {
    await aws.upload(`home/${user}/${cluster}.cf-create`, "{}");
    await aws.settled();
    aws.cfn.transition(`fd-${user}-${cluster}`, "CREATE_COMPLETE", {
      outputs: { LoginIp: "203.0.113.7" },
    });
    await aws.statusEvent(`fd-${user}-${cluster}`);
  }

  const deletes = () => aws.cfn.callsOf("DeleteStack").map((p) => p.get("StackName") ?? "");
  const lifetimeRecord = async (user: string, file: string) =>
    parseLifetimeBody((await aws.home(user))[file] ?? "");
  const states = async (user: string) =>
    clusterStates(
      user,
      (await aws.allKeys())
        .filter((key) => key.startsWith(`home/${user}/`))
        .map((key) => ({ key, lastModified: new Date() })),
    );

  it("writes the expiry into .cf-created's metadata, for the CLI", async () => {
    await running("alice", "c1");
    const head = await aws.s3.send(
      new HeadObjectCommand({ Bucket: USER_BUCKET, Key: "home/alice/c1.cf-created" }),
    );
    expect(Date.parse(head.Metadata?.["flightdeck-expires-at"] ?? "")).to.be.closeTo(
      t0 + 4 * HOUR,
      1000,
    );
  });

  it("expired: deletes the cluster with an expire token, once, and .cf-deleted names the lifetime", async () => {
    await running("alice", "c1");
    await at(4 * HOUR - MINUTE);
    await aws.sweep();
    expect(deletes()).to.deep.equal([]);

    await at(4 * HOUR + MINUTE);
    await aws.sweep();
    await aws.sweep(); // the stack is being deleted: nothing more
    expect(deletes()).to.have.length(1);
    const token = aws.cfn.callsOf("DeleteStack")[0]?.get("ClientRequestToken");
    expect(token).to.match(/^fd-expire-[0-9a-f]{48}$/);
    expect(aws.cfn.live("fd-alice-c1")?.status).to.equal("DELETE_IN_PROGRESS");

    aws.cfn.transition("fd-alice-c1", "DELETE_COMPLETE");
    await aws.statusEvent("fd-alice-c1");
    const home = await aws.home("alice");
    expect(home["c1.cf-deleted"]).to.equal(
      'Cluster "c1" has been deleted: it reached its maximum lifetime of 4 hours.\n' +
        "Your home directory is kept: your next cluster mounts it again. Its /scratch and everything else outside your home went with it.\n" +
        "Results copied out with flightdeck-sync (on the cluster) are kept in home/alice/results/c1/.\n",
    );
    expect(Object.keys(home)).to.deep.equal(["c1.cf-deleted"]);
    expect(aws.cfn.emails.map((e) => e.text).join("\n")).to.contain(
      "has been deleted: it reached its maximum lifetime of 4 hours",
    );
    // Its slot is free again: the registry no longer lists it.
    expect(Object.keys((await aws.registryItem("alice"))?.["clusters"]?.M ?? {})).to.deep.equal([]);
    await aws.sweep();
    expect(deletes()).to.have.length(1);
  });

  it("retries an expiry delete that ended DELETE_FAILED once per sweep window, with a new token, and never twice in one", async () => {
    await running("alice", "c1");
    // Sweep windows are 15 minutes of the real clock: start the first at a window's start.
    const window = 15 * MINUTE;
    const firstWindow = Math.ceil((t0 + 4 * HOUR + MINUTE) / window) * window - t0;
    await at(firstWindow + MINUTE);
    await aws.sweep();
    const tokens = () => aws.cfn.callsOf("DeleteStack").map((p) => p.get("ClientRequestToken"));
    expect(tokens()).to.have.length(1);
    aws.cfn.transition("fd-alice-c1", "DELETE_FAILED", { reason: "a dependency" });
    await aws.statusEvent("fd-alice-c1");
    // The same window's tick, delivered again: the same request, so nothing new starts.
    await at(firstWindow + 2 * MINUTE);
    await aws.sweep();
    expect(new Set(tokens()).size).to.equal(1);
    expect(aws.cfn.live("fd-alice-c1")?.status).to.equal("DELETE_FAILED");
    // The next window asks again, anew: CloudFormation tries the delete once more.
    await at(firstWindow + window + MINUTE);
    await aws.sweep();
    expect(new Set(tokens()).size).to.equal(2);
    expect(tokens().every((t) => /^fd-expire-[0-9a-f]{48}$/.test(t ?? ""))).to.equal(true);
    expect(aws.cfn.live("fd-alice-c1")?.status).to.equal("DELETE_IN_PROGRESS");
  });

  it("warned: .cf-expiring an hour before, with the expiry, and one email to the owner however often it runs", async () => {
    await running("alice", "c1");
    await at(3 * HOUR - MINUTE);
    await aws.sweep();
    expect(await aws.home("alice")).not.to.have.property("c1.cf-expiring");

    await at(3 * HOUR + MINUTE);
    await aws.sweep();
    await at(3 * HOUR + 16 * MINUTE);
    await aws.sweep();
    const record = await lifetimeRecord("alice", "c1.cf-expiring");
    expect(Date.parse(record?.expiresAt ?? "")).to.be.closeTo(t0 + 4 * HOUR, 1000);
    expect((await aws.home("alice"))["c1.cf-expiring"]).to.match(
      /reaches its maximum lifetime at .* and will then be deleted\.\nYour home is kept; save what you need from elsewhere on the cluster \(\/scratch, say\) before then, or ask for more time: flightdeck extend c1/,
    );
    const warnings = aws.cfn.emails.filter((e) => e.subject.includes("will be deleted"));
    expect(warnings).to.have.length(1);
    expect(warnings[0]?.to).to.include("alice@example.org");
    expect(deletes()).to.deep.equal([]);
    // The warning is not a state: the cluster still reads as running.
    expect((await states("alice")).map((s) => s.state)).to.deep.equal(["running"]);
  });

  it("extended: a granted .cf-extend moves the expiry, the sweep warns and deletes by the new one", async () => {
    await running("alice", "c1");
    await at(3 * HOUR + MINUTE);
    await aws.sweep();
    await aws.upload("home/alice/c1.cf-extend", '{"hours": 2}');
    await aws.settled();
    expect(aws.invocationErrors).to.deep.equal([]);
    const granted = await lifetimeRecord("alice", "c1.cf-extended");
    expect(granted?.granted).to.equal(true);
    expect(Date.parse(granted?.expiresAt ?? "")).to.be.closeTo(t0 + 6 * HOUR, 1000);
    expect(Date.parse(granted?.latestExpiry ?? "")).to.be.closeTo(t0 + 8 * HOUR, 1000);
    const home = await aws.home("alice");
    expect(home).not.to.have.property("c1.cf-expiring");
    expect(home).not.to.have.property("c1.cf-extend");

    await at(4 * HOUR + MINUTE);
    await aws.sweep();
    expect(deletes()).to.deep.equal([]);
    await at(5 * HOUR + MINUTE);
    await aws.sweep();
    expect(
      Date.parse((await lifetimeRecord("alice", "c1.cf-expiring"))?.expiresAt ?? ""),
    ).to.be.closeTo(t0 + 6 * HOUR, 1000);
    expect(aws.cfn.emails.filter((e) => e.subject.includes("will be deleted"))).to.have.length(2);
    await at(6 * HOUR + MINUTE);
    await aws.sweep();
    expect(deletes()).to.have.length(1);
    aws.cfn.transition("fd-alice-c1", "DELETE_COMPLETE");
    await aws.statusEvent("fd-alice-c1");
    expect((await aws.home("alice"))["c1.cf-deleted"]).to.contain("maximum lifetime of 6 hours");
  });

  it("extended: a retried .cf-extend event extends once", async () => {
    await running("alice", "c1");
    const event = await aws.upload("home/alice/c1.cf-extend", '{"hours": 1}');
    await aws.settled();
    await aws.deliver(event);
    const record = await lifetimeRecord("alice", "c1.cf-extended");
    expect(Date.parse(record?.expiresAt ?? "")).to.be.closeTo(t0 + 5 * HOUR, 1000);
  });

  it("extended: refused beyond the maximum lifetime, naming it; the cluster still reads as running", async () => {
    await running("alice", "c1");
    await at(HOUR);
    await aws.upload("home/alice/c1.cf-extend", '{"hours": 10}');
    await aws.settled();
    const refused = await lifetimeRecord("alice", "c1.cf-extended");
    expect(refused?.granted).to.equal(false);
    expect(refused?.reason).to.equal(
      "Extending by 10 hours would pass your maximum cluster lifetime of 8 hours " +
        `(it ends at ${new Date(t0 + 8 * HOUR).toISOString().slice(0, 16)}Z); you can extend by at most 4 hours.`,
    );
    expect(Date.parse(refused?.expiresAt ?? "")).to.be.closeTo(t0 + 4 * HOUR, 1000);
    const home = await aws.home("alice");
    expect(home).not.to.have.property("c1.cf-failed");
    expect((await states("alice")).map((s) => s.state)).to.deep.equal(["running"]);
    // A bad body, and a cluster that does not run, are answered the same way.
    await aws.upload("home/alice/c1.cf-extend", '{"hours": "lots"}');
    await aws.upload("home/alice/c9.cf-extend", "");
    await aws.settled();
    expect((await lifetimeRecord("alice", "c1.cf-extended"))?.reason).to.match(
      /hours must be a whole number of hours from 1 to 8760/,
    );
    expect((await lifetimeRecord("alice", "c9.cf-extended"))?.reason).to.equal(
      "You have no running cluster named c9.",
    );
    expect(aws.invocationErrors).to.deep.equal([]);
  });

  for (const foreignCount of [10, 1000]) {
    it(`foreign stacks: with ${foreignCount} stacks that are not FlightDeck's, a sweep makes the same CloudFormation calls and touches none of them`, async () => {
      for (let i = 0; i < foreignCount; i += 1) {
        // Other tools' stacks, and look-alikes of another deployment under the same prefix.
        aws.cfn.addStack(i % 2 === 0 ? `other-tool-${i}` : `fd-mallory-x${i}`, {
          tags: i % 2 === 0 ? {} : { ...OURS, FlightDeckDeployment: "other", USER: "mallory" },
          roleArn: i % 2 === 0 ? undefined : SERVICE_ROLE_ARN,
        });
      }
      await running("alice", "c1");
      await at(2 * HOUR);
      await running("bob", "c2");
      const before = aws.cfn.cloudFormationCalls();
      await at(3 * HOUR);
      await aws.sweep(); // nothing due
      const quiet = aws.cfn.cloudFormationCalls() - before;
      await at(4 * HOUR + MINUTE);
      await aws.sweep(); // alice/c1 expired; bob/c2 neither due nor warned
      const busy = aws.cfn.cloudFormationCalls() - before - quiet;
      expect({ quiet, busy }).to.deep.equal({ quiet: 0, busy: 2 });
      expect(aws.cfn.callsOf("ListStacks")).to.have.length(0);
      expect(deletes()).to.have.length(1);
      expect(deletes()[0]).to.match(/stack\/fd-alice-c1\//);
      expect(aws.cfn.liveStacks().filter((s) => s.status !== "CREATE_COMPLETE")).to.have.length(1);
      console.log(
        `      CloudFormation calls per sweep with ${foreignCount} foreign stacks: ${quiet} (nothing due), ${busy} (one cluster expired)`,
      );
    });
  }

  it("foreign stacks: an expired cluster whose stack was replaced by a foreign one is left alone and logged", async () => {
    await running("alice", "c1");
    const ours = aws.cfn.live("fd-alice-c1");
    if (ours === undefined) throw new Error("no stack");
    ours.tags = { ...ours.tags, FlightDeckDeployment: "other" };
    await at(4 * HOUR + MINUTE);
    await aws.sweep();
    expect(deletes()).to.deep.equal([]);
    expect(aws.logs.some((l) => String(l["message"]).includes("not FlightDeck's"))).to.equal(true);
  });

  it("throttled: a sweep CloudFormation throttles deletes nothing, fails no other cluster, and the next sweep deletes once", async () => {
    await running("alice", "c1");
    await running("bob", "c2");
    await at(4 * HOUR + MINUTE);
    // More throttles than the SDK's four attempts: this sweep's delete of the first cluster fails.
    aws.cfn.fail("DeleteStack", "Throttling", 4);
    await aws.sweep();
    expect(aws.cfn.liveStacks().map((s) => s.status)).to.have.members([
      "CREATE_COMPLETE",
      "DELETE_IN_PROGRESS",
    ]);
    expect(aws.logs.some((l) => String(l["message"]).includes("next sweep tries again"))).to.equal(
      true,
    );
    await at(4 * HOUR + 16 * MINUTE);
    await aws.sweep();
    await aws.sweep();
    expect(aws.cfn.liveStacks().map((s) => s.status)).to.deep.equal([
      "DELETE_IN_PROGRESS",
      "DELETE_IN_PROGRESS",
    ]);
    const accepted = aws.cfn.stacks.map((s) => s.usedDeleteTokens ?? []);
    expect(accepted.map((tokens) => tokens.length)).to.deep.equal([1, 1]);
  });

  it("idle: an idle master's .cf-delete ends in a .cf-deleted that says how long it was idle", async () => {
    await running("alice", "c1");
    await aws.upload("home/alice/c1.cf-delete", '{"reason":"idle","minutes":30}');
    await aws.settled();
    expect(aws.cfn.callsOf("DeleteStack")[0]?.get("ClientRequestToken")).to.match(
      /^fd-idle-[0-9a-f]{48}$/,
    );
    aws.cfn.transition("fd-alice-c1", "DELETE_COMPLETE");
    await aws.statusEvent("fd-alice-c1");
    expect((await aws.home("alice"))["c1.cf-deleted"]).to.equal(
      'Cluster "c1" has been deleted: it was idle for 30 minutes (no jobs and nobody logged in).\n' +
        "Your home directory is kept: your next cluster mounts it again. Its /scratch and everything else outside your home went with it.\n" +
        "Results copied out with flightdeck-sync (on the cluster) are kept in home/alice/results/c1/.\n",
    );
  });

  it("idle: any other .cf-delete body is a plain delete, however it is dressed", async () => {
    await running("alice", "c1");
    await aws.upload(
      "home/alice/c1.cf-delete",
      `{"reason":"idle","minutes":99999999,"pad":"${"x".repeat(600)}"}`,
    );
    await aws.settled();
    expect(aws.cfn.callsOf("DeleteStack")[0]?.get("ClientRequestToken")).to.match(
      /^fd-delete-[0-9a-f]{48}$/,
    );
    aws.cfn.transition("fd-alice-c1", "DELETE_COMPLETE");
    await aws.statusEvent("fd-alice-c1");
    expect((await aws.home("alice"))["c1.cf-deleted"]).to.equal(
      'Cluster "c1" has been deleted.\n' +
        "Your home directory is kept: your next cluster mounts it again. Its /scratch and everything else outside your home went with it.\n" +
        "Results copied out with flightdeck-sync (on the cluster) are kept in home/alice/results/c1/.\n",
    );
  });
});
