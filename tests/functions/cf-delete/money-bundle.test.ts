import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { expect } from "chai";
import { parseLifetimeBody } from "../../../functions/shared/lifetime-files.js";
import { parsePriceBook } from "../../../functions/shared/price-book.js";
import { parseUsageReport } from "../../../functions/shared/usage-files.js";
import { FakeEc2Pricing } from "../../support/fake-ec2-pricing.js";
import { fixtureJson } from "../../support/fixtures.js";
import { pricingFixture, usageTableInput } from "../../support/money-fakes.js";
import { injectClock, type InjectedClock } from "../../support/injected-clock.js";
import { USER_BUCKET, type LocalAws } from "../../support/local-aws.js";
import { localPolicy } from "../../support/local-policy.js";
import { sweepAws } from "../../support/sweep-world.js";

/*
 * Money through the BUILT bundles, in-process, over s3rver, dynalite (the
 * registry and the usage ledger), the fake CloudFormation and a loopback
 * EC2 and Price List on their real wire protocols, with the clock injected:
 * the sweep publishes the price book, accrues a running cluster's spend,
 * and once alice's budget is spent gives notice and, after the grace,
 * deletes the cluster; its .cf-created carries its most per hour.
 */

const HOUR = 3600e3;
const MINUTE = 60e3;
const USAGE_TABLE = "fd-test-usage";
const pricing = pricingFixture();

const policy = localPolicy({
  limits: { lifetimeHours: 4, maxLifetimeHours: 48, monthlyBudget: "2", maxRequestsPerMinute: 50 },
  users: { alice: { email: "alice@example.org" } },
  budgets: { graceMinutes: "30" },
});

describe("cf-delete: money through the built bundle (injected clock)", function () {
  this.timeout(120_000);
  let aws: LocalAws;
  let ec2: FakeEc2Pricing;
  let clock: InjectedClock;
  let t0: number;

  beforeEach(async () => {
    ec2 = new FakeEc2Pricing();
    ec2.pageSize = 100;
    ec2.productPages = (json) =>
      JSON.stringify(json["Filters"]).includes("volumeApiName")
        ? pricing.storagePages
        : pricing.instancePages;
    const ec2Url = await ec2.start();
    aws = sweepAws(policy, ["alice"], {
      FD_USAGE_TABLE: USAGE_TABLE,
      AWS_ENDPOINT_URL_EC2: ec2Url,
      AWS_ENDPOINT_URL_PRICING: ec2Url,
    });
    await aws.start();
    await aws.registry.send(new CreateTableCommand(usageTableInput(USAGE_TABLE)));
    t0 = Math.ceil(Date.now() / (15 * MINUTE)) * 15 * MINUTE + 5 * MINUTE;
    clock = injectClock(t0);
  });
  afterEach(async () => {
    clock.restore();
    await aws.stop();
    await ec2.stop();
  });

  it("publishes prices, accrues the spend, and holds alice's budget: notice within a sweep, deletion after the grace", async () => {
    // The first sweep publishes the price book the create is priced with.
    await aws.sweep();
    const published = await aws.s3.send(
      new GetObjectCommand({ Bucket: USER_BUCKET, Key: "flightdeck/prices.json" }),
    );
    const book = parsePriceBook((await published.Body?.transformToString()) ?? "");
    expect(book?.onDemand["r4.large"]).to.equal(0.156);

    // At most $0.186 an hour over 4 hours: $0.744, within the $2 budget, so the create is taken.
    const config = {
      ...(fixtureJson("configs/seed-example.json") as object),
      ComputeMaxNodes: "1",
    };
    await aws.upload("home/alice/c1.cf-create", JSON.stringify(config));
    await aws.settled();
    const stack = aws.cfn.live("fd-alice-c1")!;
    aws.cfn.transition("fd-alice-c1", "CREATE_COMPLETE", { outputs: { LoginIp: "203.0.113.7" } });
    await aws.statusEvent("fd-alice-c1");
    const head = await aws.s3.send(
      new HeadObjectCommand({ Bucket: USER_BUCKET, Key: "home/alice/c1.cf-created" }),
    );
    // The master r4.large on-demand and one r4.large at the spot cap of $0.03.
    expect(Number(head.Metadata?.["flightdeck-max-cost-per-hour"])).to.be.closeTo(0.186, 1e-4);

    // EC2 shows five on-demand r4.large for the stack (what it shows counts, not what was
    // asked for): $0.78 an hour, so $2 is spent after 2.564 h, before the 4-hour lifetime ends.
    const launched = new Date(t0).toISOString();
    const tags = { "aws:cloudformation:stack-id": stack.stackId };
    ec2.instances.push(
      ...["i-m", "i-1", "i-2", "i-3", "i-4"].map((id) => ({
        id,
        type: "r4.large",
        zone: "eu-west-2a",
        launchTime: launched,
        state: "running",
        tags,
        volumes: [],
      })),
    );
    const crossing = t0 + (2 / (5 * 0.156)) * HOUR;
    let noticeAt: number | undefined;
    let deletedAt: number | undefined;
    for (
      let tick = Math.ceil(t0 / (15 * MINUTE)) * 15 * MINUTE;
      tick <= crossing + 2 * HOUR;
      tick += 15 * MINUTE
    ) {
      clock.set(tick);
      await aws.sweep();
      const home = await aws.home("alice");
      noticeAt ??= home["c1.cf-expiring"] === undefined ? undefined : tick;
      deletedAt ??= aws.cfn.callsOf("DeleteStack").length === 0 ? undefined : tick;
      if (tick === Math.ceil(t0 / (15 * MINUTE)) * 15 * MINUTE + HOUR) {
        const usage = parseUsageReport(home["flightdeck-usage.json"] ?? "");
        expect(usage?.clusters[0]?.running).to.equal(true);
        // One hour and ten minutes of five r4.large.
        expect(usage?.spent).to.be.closeTo(((70 * MINUTE) / HOUR) * 5 * 0.156, 0.01);
      }
    }
    console.log(
      `      built bundle: $2 budget crossed at +${((crossing - t0) / MINUTE).toFixed(1)} min; notice ${(((noticeAt ?? NaN) - crossing) / MINUTE).toFixed(1)} min after, deletion ${(((deletedAt ?? NaN) - crossing) / MINUTE).toFixed(1)} min after (grace 30 min)`,
    );
    expect((noticeAt ?? Infinity) - crossing).to.be.within(0, 15 * MINUTE);
    expect((deletedAt ?? Infinity) - (noticeAt ?? 0)).to.equal(30 * MINUTE);
    const notice = parseLifetimeBody((await aws.home("alice"))["c1.cf-expiring"] ?? "");
    expect(notice?.reason).to.match(/^your monthly budget of \$2\.00 is spent/);
    expect(aws.cfn.callsOf("DeleteStack")[0]?.get("ClientRequestToken")).to.match(/^fd-expire-/);
    expect(aws.invocationErrors).to.deep.equal([]);
    expect(aws.logs.filter((l) => l["level"] === "ERROR")).to.deep.equal([]);
  });
});
