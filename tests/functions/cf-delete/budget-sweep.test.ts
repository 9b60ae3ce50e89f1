import { DeleteStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { expect } from "chai";
import { sweepLifetimes } from "../../../functions/cf-delete/lifetime-sweep.js";
import { parseLifetimeBody } from "../../../functions/shared/lifetime-files.js";
import { parseUsageReport } from "../../../functions/shared/usage-files.js";
import { harness, stack, stackIdOf, type Harness } from "../../support/handler-harness.js";
import { testMoney } from "../../support/money-fakes.js";
import { basePolicy } from "../../support/policies.js";

/*
 * A budget that stops spending, held by the sweep on its 15-minute schedule
 * (the sweep is given each tick's moment): alice's $5 budget, one cluster
 * spending a steady $0.5649 an hour. The warning comes with the first sweep
 * past 80 %, the notice with the first past 100 %, the deletion with the
 * first sweep past the hour's grace. How long after the crossing each comes
 * is printed (the issue's goal: within one sweep interval).
 */

const HOUR = 3_600_000;
const MINUTE = 60_000;
const GIB_HOUR = 0.0928 / 730;
const t0 = Date.UTC(2026, 11, 2, 0, 7); // a cluster created 7 minutes past a sweep
/** The cluster's rate: a master r4.large with 30 GiB, four on-demand c7i.large with 16 GiB. */
const RATE = 0.156 + 30 * GIB_HOUR + 4 * (0.0993 + 16 * GIB_HOUR);
const crossing = (usd: number) => t0 + (usd / RATE) * HOUR;
const firstSweep = Math.ceil(t0 / (15 * MINUTE)) * 15 * MINUTE;

describe("cf-delete: a budget held by the sweep", () => {
  let h: Harness;
  let world: ReturnType<typeof testMoney>;
  const stackId = stackIdOf("fd-alice-c1");

  beforeEach(() => {
    h = harness({
      policy: basePolicy({
        limits: { monthlyBudget: "5", maxLifetimeHours: "168" },
        users: { alice: { email: "alice@example.org" } },
      }),
    });
    world = testMoney();
    h.registry.slots.set(
      "alice",
      new Map([
        [
          "c1",
          { acquiredAt: t0, vcpus: 10, token: "fd-create-c1", stackId, expiresAt: t0 + 168 * HOUR },
        ],
      ]),
    );
    world.records.add(
      { stackId, id: "i-master", type: "r4.large", launchedAt: t0, diskGiB: 30 },
      ...[1, 2, 3, 4].map((n) => ({
        stackId,
        id: `i-node${n}`,
        type: "c7i.large",
        launchedAt: t0,
        diskGiB: 16,
      })),
    );
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "CREATE_COMPLETE")] });
    h.cfn.on(DeleteStackCommand).resolves({});
  });
  afterEach(() => h.restore());

  /** Runs the sweeps from the first after creation until `until`; what happened when. */
  async function sweepUntil(until: number) {
    const seen = {
      warnedAt: undefined as number | undefined,
      noticeAt: undefined as number | undefined,
      deletedAt: undefined as number | undefined,
    };
    for (let now = firstSweep; now <= until; now += 15 * MINUTE) {
      world.records.now = now;
      await sweepLifetimes({ ...h.deleteDeps, money: async () => world.money }, now);
      const files = h.written();
      if (seen.warnedAt === undefined && files["home/alice/budget.warning"] !== undefined)
        seen.warnedAt = now;
      if (seen.noticeAt === undefined && files["home/alice/c1.cf-expiring"] !== undefined)
        seen.noticeAt = now;
      if (seen.deletedAt === undefined && h.cfn.commandCalls(DeleteStackCommand).length > 0)
        seen.deletedAt = now;
    }
    return seen;
  }

  it("warns once at 80 %, gives notice at 100 % and deletes after the grace, each within a sweep of its moment", async () => {
    const seen = await sweepUntil(crossing(5) + 3 * HOUR);
    const warned = seen.warnedAt ?? Infinity;
    const noticed = seen.noticeAt ?? Infinity;
    const deleted = seen.deletedAt ?? Infinity;
    console.log(
      `      80 % crossed at +${((crossing(4) - t0) / MINUTE).toFixed(1)} min: warned ${((warned - crossing(4)) / MINUTE).toFixed(1)} min later`,
    );
    console.log(
      `      100 % crossed at +${((crossing(5) - t0) / MINUTE).toFixed(1)} min: notice ${((noticed - crossing(5)) / MINUTE).toFixed(1)} min later, deleted ${((deleted - crossing(5)) / MINUTE).toFixed(1)} min later (grace 60 min)`,
    );
    expect(warned - crossing(4)).to.be.within(0, 15 * MINUTE);
    expect(noticed - crossing(5)).to.be.within(0, 15 * MINUTE);
    expect(deleted - noticed).to.equal(60 * MINUTE);
    const warnings = h.recorder.notices.filter((n) => /is \d+ % spent/.test(n.notice.subject));
    const spent = h.recorder.notices.filter((n) => /is spent/.test(n.notice.subject));
    expect(warnings, "one warning email").to.have.length(1);
    expect(spent, "one email when spent").to.have.length(1);
    expect(spent[0]?.userEmail).to.equal("alice@example.org");
  });

  it("tells the user in .cf-expiring when the cluster goes and why, and ends it with the budget's reason", async () => {
    await sweepUntil(crossing(5) + 2 * HOUR);
    const notice = parseLifetimeBody(h.written()["home/alice/c1.cf-expiring"] ?? "");
    expect(notice?.reason).to.match(
      /^your monthly budget of \$5\.00 is spent \(\$5\.\d\d, by FlightDeck's estimate\)$/,
    );
    const [deletion] = h.cfn.commandCalls(DeleteStackCommand);
    expect(deletion?.args[0].input.StackName).to.equal(stackId);
    expect(deletion?.args[0].input.ClientRequestToken).to.match(/^fd-expire-/);
    expect(h.registry.slots.get("alice")?.get("c1")?.endReason).to.equal(
      "your monthly budget of $5.00 was spent, and the grace period after the notice ended",
    );
    const usage = parseUsageReport(h.written()["home/alice/flightdeck-usage.json"] ?? "");
    expect(usage?.budget).to.equal(5);
    expect(usage?.stopAt).to.equal(notice?.expiresAt);
    expect(usage?.clusters[0]).to.include({ cluster: "c1", running: true });
  });

  it("deletes nothing while the budget has room", async () => {
    await sweepUntil(crossing(5) - 16 * MINUTE);
    expect(h.cfn.commandCalls(DeleteStackCommand)).to.have.length(0);
    expect(h.written()["home/alice/c1.cf-expiring"]).to.equal(undefined);
  });

  it("lifts the grace and takes the notice back when the budget is raised", async () => {
    const seen = await sweepUntil(crossing(5) + 20 * MINUTE);
    expect(seen.noticeAt).to.not.equal(undefined);
    const raised = {
      ...h.deleteDeps,
      deployment: async () => ({
        policy: basePolicy({ limits: { monthlyBudget: "50" }, users: { alice: {} } }),
      }),
      money: async () => world.money,
    };
    const later = (seen.noticeAt ?? 0) + 30 * MINUTE;
    world.records.now = later;
    await sweepLifetimes(raised, later);
    expect(h.deleted()).to.include("home/alice/c1.cf-expiring");
    world.records.now = later + 60 * MINUTE;
    await sweepLifetimes(raised, later + 60 * MINUTE);
    expect(h.cfn.commandCalls(DeleteStackCommand)).to.have.length(0);
  });

  it("holds the deployment's budget over every user's clusters", async () => {
    const policy = basePolicy({
      budgets: { monthlyBudget: "3", graceMinutes: "30" },
      users: { alice: {} },
    });
    const deps = {
      ...h.deleteDeps,
      deployment: async () => ({ policy }),
      money: async () => world.money,
    };
    let noticeAt: number | undefined;
    let deletedAt: number | undefined;
    for (let now = firstSweep; now <= crossing(3) + 2 * HOUR; now += 15 * MINUTE) {
      world.records.now = now;
      await sweepLifetimes(deps, now);
      noticeAt ??= h.written()["home/alice/c1.cf-expiring"] === undefined ? undefined : now;
      deletedAt ??= h.cfn.commandCalls(DeleteStackCommand).length === 0 ? undefined : now;
    }
    expect((noticeAt ?? Infinity) - crossing(3)).to.be.within(0, 15 * MINUTE);
    // The grace is the settings' 30 minutes; each later sweep asks again (the stack here never goes).
    expect((deletedAt ?? Infinity) - (noticeAt ?? 0)).to.equal(30 * MINUTE);
    expect(parseLifetimeBody(h.written()["home/alice/c1.cf-expiring"] ?? "")?.reason).to.match(
      /^the deployment's monthly budget of \$3\.00 is spent/,
    );
    expect(
      h.recorder.notices.some(
        (n) =>
          n.userEmail === undefined &&
          /deployment's monthly budget is spent/.test(n.notice.subject),
      ),
    ).to.equal(true);
  });
});

/** How many times the sweep wrote alice's c1 notice. */
const notices = (h: Harness) =>
  h.s3
    .commandCalls(PutObjectCommand)
    .filter((c) => c.args[0].input.Key === "home/alice/c1.cf-expiring").length;

describe("cf-delete: a budget's grace at the turn of the month", () => {
  // Created on 31 December, spent by 23:00; the 90-minute grace would end in January.
  const start = Date.UTC(2026, 11, 31, 14, 7);
  const stackId = stackIdOf("fd-alice-c1");
  let h: Harness;
  let world: ReturnType<typeof testMoney>;

  beforeEach(() => {
    h = harness({
      policy: basePolicy({
        limits: { monthlyBudget: "5", maxLifetimeHours: "168" },
        budgets: { graceMinutes: "90" },
        users: { alice: {} },
      }),
    });
    world = testMoney();
    h.registry.slots.set(
      "alice",
      new Map([
        [
          "c1",
          { acquiredAt: start, vcpus: 10, token: "t", stackId, expiresAt: start + 168 * HOUR },
        ],
      ]),
    );
    world.records.add(
      { stackId, id: "i-master", type: "r4.large", launchedAt: start, diskGiB: 30 },
      ...[1, 2, 3, 4].map((n) => ({
        stackId,
        id: `i-node${n}`,
        type: "c7i.large",
        launchedAt: start,
        diskGiB: 16,
      })),
    );
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "CREATE_COMPLETE")] });
    h.cfn.on(DeleteStackCommand).resolves({});
  });
  afterEach(() => h.restore());

  it("takes last month's notice back in the new month, once, and deletes nothing", async () => {
    const deps = { ...h.deleteDeps, money: async () => world.money };
    const january = Date.UTC(2027, 0, 1);
    let noticed = false;
    const sweeps: number[] = [];
    for (
      let now = Math.ceil(start / (15 * MINUTE)) * 15 * MINUTE;
      now < january;
      now += 15 * MINUTE
    )
      sweeps.push(now);
    for (const now of sweeps) {
      world.records.now = now;
      await sweepLifetimes(deps, now);
      noticed ||= h.written()["home/alice/c1.cf-expiring"] !== undefined;
    }
    expect(sweeps.length).to.be.greaterThan(30);
    expect(noticed, "the notice was given in December").to.equal(true);
    expect(h.deleted()).not.to.include("home/alice/c1.cf-expiring");
    const noticesGiven = notices(h);

    for (const now of [january, january + 15 * MINUTE, january + 2 * HOUR]) {
      world.records.now = now;
      await sweepLifetimes(deps, now);
    }
    expect(h.deleted().filter((key) => key === "home/alice/c1.cf-expiring")).to.have.length(1);
    expect(notices(h), "no notice written again").to.equal(noticesGiven);
    expect(h.cfn.commandCalls(DeleteStackCommand)).to.have.length(0);
  });
});
