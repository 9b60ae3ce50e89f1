import { expect } from "chai";
import { injectClock, type InjectedClock } from "../support/injected-clock.js";
import { hostileCase } from "./support/hostile-cases.js";
import { hostilePolicy, HostileWorld } from "./support/hostile-world.js";

/*
 * Findings 1 and 3 from the other side: a flood of uploads must cost a
 * bounded number of CloudFormation calls (whatever the account holds), and
 * faults in S3, SES and CloudFormation must neither lose a request nor
 * create a cluster twice when Lambda (or `flightdeck admin redrive`) replays it.
 */

const SPOT = '{"ComputeSpotPrice": "0.10", "ComputeMaxNodes": 2}';

describe("hostile: floods and faults", function () {
  this.timeout(90_000);
  let world: HostileWorld;
  afterEach(async () => world.stop());

  hostileCase(
    "floods",
    "200 over-quota uploads cost a bounded number of CloudFormation calls, however many stacks the account has",
    async () => {
      world = await new HostileWorld().start();
      // One fixed minute: the whole flood falls in one rate window, however long it takes.
      const clock = injectClock(Math.floor(Date.now() / 60_000) * 60_000 + 1000);
      try {
        for (let i = 0; i < 500; i += 1) world.aws.cfn.addStack(`other-app-${i}`);
        await world.upload("home/alice/c1.cf-create", SPOT);
        await world.upload("home/alice/c2.cf-create", SPOT);
        const before = world.aws.cfn.cloudFormationCalls();
        await world.asUser("alice", async () => {
          for (let i = 3; i < 203; i += 1) await world.upload(`home/alice/f${i}.cf-create`, SPOT);
        });
        const calls = world.aws.cfn.cloudFormationCalls() - before;
        // 10 requests a minute get past the rate limit, c1 and c2 among them: 8 of the
        // flood, each with one DescribeStacks and at most one check per slot (2); the
        // other 192 cost none.
        expect(calls, `CloudFormation calls for 200 uploads`).to.be.within(8, 8 * 3);
        expect(world.aws.cfn.callsOf("ListStacks")).to.have.length(0);
        expect(world.liveStacks("fd-alice-")).to.deep.equal(["fd-alice-c1", "fd-alice-c2"]);
        const home = await world.home("alice");
        const failed = Object.keys(home).filter((name) => name.endsWith(".cf-failed"));
        expect(failed).to.have.length(200);
        expect(Object.keys(home).filter((name) => /^f\d+\.cf-create$/.test(name))).to.deep.equal(
          [],
        );
        const rateLimited = Object.values(home).filter((text) => /in the last minute/.test(text));
        expect(rateLimited).to.have.length(192);
        world.expectLogged(/over the user's request rate/);
      } finally {
        clock.restore();
      }
    },
  );

  hostileCase("floods", "one user's flood leaves another user's request untouched", async () => {
    world = await new HostileWorld().start();
    for (let i = 1; i <= 40; i += 1) await world.upload(`home/alice/f${i}.cf-create`, SPOT);
    await world.asUser("bob", () => world.upload("home/bob/c5.cf-create", SPOT));
    expect(world.aws.cfn.live("fd-bob-c5")).not.to.equal(undefined);
    expect(world.liveStacks("fd-alice-")).to.have.length(2);
  });

  hostileCase(
    "faults",
    "SES down: the cluster is still created, reported, and the failure logged",
    async () => {
      world = await new HostileWorld().start();
      world.aws.cfn.sesDown = true;
      await world.asUser("alice", async () => {
        await world.upload("home/alice/c1.cf-create", SPOT);
        world.aws.cfn.transition("fd-alice-c1", "CREATE_COMPLETE", {
          outputs: { LoginIp: "203.0.113.7" },
        });
        await world.aws.statusEvent("fd-alice-c1");
      });
      expect(await world.home("alice")).to.deep.equal({ "c1.cf-created": "203.0.113.7\n" });
      world.expectLogged(/notification failed; the cluster flow goes on/);
    },
  );

  hostileCase(
    "faults",
    "an S3 write fault on .cf-failed is thrown for a retry, and the retry answers without a second attempt at anything",
    async () => {
      world = await new HostileWorld().start();
      world.aws.s3Faults.fail("PUT", /c1\.cf-failed/, 4);
      const event = await world.aws.upload("home/alice/c1.cf-create", '{"ComputeSpotPrice": "0"}');
      const first = await world.aws.deliver(event).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(first, "the invocation fails, so Lambda retries it").to.be.instanceOf(Error);
      await world.asUser("alice", () => world.aws.deliver(event));
      expect((await world.failure("alice", "c1")).join(" ")).to.match(/allowOnDemand/);
      expect(world.liveStacks()).to.deep.equal([]);
    },
  );

  hostileCase(
    "faults",
    "an S3 write fault on .cf-created leaves the stack alone; the replayed status event reports it once",
    async () => {
      world = await new HostileWorld().start();
      await world.upload("home/alice/c1.cf-create", SPOT);
      world.aws.cfn.transition("fd-alice-c1", "CREATE_COMPLETE", {
        outputs: { LoginIp: "203.0.113.7" },
      });
      world.aws.s3Faults.fail("PUT", /c1\.cf-created/, 4);
      const failed = await world.aws.statusEvent("fd-alice-c1").then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).to.be.instanceOf(Error);
      await world.asUser("alice", () => world.aws.statusEvent("fd-alice-c1"));
      expect(await world.home("alice")).to.deep.equal({ "c1.cf-created": "203.0.113.7\n" });
      expect(world.aws.cfn.callsOf("CreateStack")).to.have.length(1);
    },
  );

  hostileCase(
    "faults",
    "CloudFormation throttling CreateStack past the SDK's retries: the event fails, and replaying it twice (Lambda's retry, then a redrive) makes exactly one stack",
    async () => {
      world = await new HostileWorld().start();
      world.aws.cfn.fail("CreateStack", "Throttling", 4);
      const event = await world.aws.upload("home/alice/c1.cf-create", SPOT);
      const invoke = () =>
        world.aws.deliver(event).then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(await invoke(), "parked in the dead-letter queue").to.be.instanceOf(Error);
      expect(world.liveStacks()).to.deep.equal([]);
      await world.asUser("alice", async () => {
        expect(await invoke()).to.equal(undefined);
        expect(await invoke()).to.equal(undefined);
      });
      expect(world.liveStacks()).to.deep.equal(["fd-alice-c1"]);
      const item = await world.aws.registryItem("alice");
      expect(Object.keys(item?.["clusters"]?.M ?? {})).to.deep.equal(["c1"]);
    },
  );

  hostileCase(
    "faults",
    "a registry (DynamoDB) that refuses every write fails the request for a retry and creates nothing",
    async () => {
      world = await new HostileWorld({
        policy: hostilePolicy(),
        env: { FD_REGISTRY_TABLE: "no-such-table" },
      }).start();
      const event = await world.aws.upload("home/alice/c1.cf-create", SPOT);
      const outcome = await world.aws.deliver(event).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(outcome).to.be.instanceOf(Error);
      expect(world.liveStacks()).to.deep.equal([]);
      expect(world.aws.cfn.callsOf("CreateStack")).to.have.length(0);
    },
  );
});

describe("hostile: floods of malformed requests", function () {
  this.timeout(60_000);
  let world: HostileWorld;
  let clock: InjectedClock;
  afterEach(async () => {
    clock.restore();
    await world.stop();
  });

  hostileCase(
    "floods",
    "malformed keys and malformed .cf-extend bodies count against their user's rate, so a flood of them throttles that user like any other",
    async () => {
      world = await new HostileWorld({
        policy: hostilePolicy({
          limits: { maxClusters: 2, maxSpotPrice: "0.50", maxRequestsPerMinute: 6 },
        }),
      }).start();
      // One fixed minute: every upload falls in the same rate window.
      clock = injectClock(Math.floor(Date.now() / 60_000) * 60_000 + 1000);
      await world.asUser("alice", async () => {
        for (let i = 0; i < 3; i += 1) await world.upload(`home/alice/bad_${i}.cf-create`, SPOT);
        for (let i = 0; i < 3; i += 1) {
          await world.upload(`home/alice/c${i}.cf-extend`, "not json", world.aws.deleteHandler);
        }
        await world.upload("home/alice/c1.cf-create", SPOT);
      });
      expect(world.aws.cfn.callsOf("CreateStack")).to.have.length(0);
      expect((await world.failure("alice", "c1")).join(" ")).to.match(/in the last minute/);
      const item = await world.aws.registryItem("alice");
      expect(item?.["rateCount"]?.N).to.equal("6");
      // Each refusal logs the user and requestRefused, which the flood alarm's filter counts.
      const refusals = world.aws.logs.filter((l) => l["requestRefused"] === true);
      expect(refusals.length).to.be.at.least(7);
      expect(refusals.every((l) => l["user"] === "alice")).to.equal(true);
      // Another user is untouched by alice's flood.
      await world.asUser("bob", () => world.upload("home/bob/c5.cf-create", SPOT));
      expect(world.aws.cfn.live("fd-bob-c5")).not.to.equal(undefined);
    },
  );
});
