import { CreateStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { handleCreateRequest } from "../../../functions/cf-create/create-request.js";
import { handleCreateOutcome } from "../../../functions/cf-create/settle-create.js";
import { monthOf } from "../../../functions/shared/money.js";
import { parseFailureBody } from "../../../functions/shared/result-files.js";
import { DEPLOYMENT_OWNER } from "../../../functions/shared/runtime/usage-ledger.js";
import { fixturePath } from "../../support/fixtures.js";
import {
  body,
  harness,
  holdSlotFor,
  s3Record,
  stack,
  stackIdOf,
  statusEvent,
  type Harness,
} from "../../support/handler-harness.js";
import { testMoney, testPriceBook } from "../../support/money-fakes.js";
import { basePolicy } from "../../support/policies.js";

/*
 * cf-create with money: the price before launch and the budgets' say. The
 * seed example asks for a master r4.large (on-demand, $0.156 in the test
 * book) and 25 r4.large at a spot cap of $0.03 (the test template declares
 * no disks): at most $0.906 an hour, $152.21 over the default 168-hour lifetime.
 */

const seedExample = readFileSync(fixturePath("configs/seed-example.json"), "utf8");
const missingStack = Object.assign(new Error("Stack with id fd-alice-c1 does not exist"), {
  name: "ValidationError",
});

describe("cf-create: the price before launch and the budgets", () => {
  let h: Harness;
  let world: ReturnType<typeof testMoney>;
  const month = monthOf(Date.now());

  const given = (limits: Record<string, string>, extra: Record<string, unknown> = {}) => {
    h = harness({
      policy: basePolicy({ limits, users: { alice: { email: "alice@example.org" } }, ...extra }),
    });
    world = testMoney(testPriceBook());
    h.cfn.on(DescribeStacksCommand).rejects(missingStack);
    h.cfn.on(CreateStackCommand).resolves({ StackId: stackIdOf("fd-alice-c1") });
    h.s3
      .on(GetObjectCommand, { Key: "home/alice/c1.cf-create" })
      .resolves({ Body: body(seedExample), ContentLength: seedExample.length });
  };
  const create = () =>
    handleCreateRequest(
      { ...h.createDeps, money: async () => world.money },
      s3Record("home/alice/c1.cf-create", { versionId: "v1" }),
    );
  const spent = (usd: number) =>
    world.ledger.setClusterSpend("alice", month, "arn:old-stack", "old", usd);
  const reasons = () => parseFailureBody(h.written()["home/alice/c1.cf-failed"] ?? "")?.reasons;
  afterEach(() => h.restore());

  it("creates a cluster whose most over its lifetime fits the budget, and records its most per hour", async () => {
    given({ monthlyBudget: "500" });
    await spent(100);
    await create();
    expect(h.cfn.commandCalls(CreateStackCommand)).to.have.length(1);
    const usage = await world.ledger.cluster("alice", stackIdOf("fd-alice-c1"));
    expect(usage?.maxPerHour).to.be.closeTo(0.156 + 25 * 0.03, 1e-9);
  });

  it("refuses a create once the budget is spent, naming the spend and the budget", async () => {
    given({ monthlyBudget: "100" });
    await spent(100.4);
    await create();
    expect(h.cfn.commandCalls(CreateStackCommand)).to.have.length(0);
    expect(reasons()).to.deep.equal([
      `Your monthly budget of $100.00 for ${month} is spent ($100.40 so far, by FlightDeck's estimate); no cluster can be created or extended until next month or until your administrator raises it.`,
    ]);
  });

  it("refuses a create whose most over its lifetime would pass what is left", async () => {
    given({ monthlyBudget: "100" });
    await spent(95);
    await create();
    expect(h.cfn.commandCalls(CreateStackCommand)).to.have.length(0);
    expect(reasons()?.[0]).to.equal(
      `This cluster may cost up to $152.21 over its 168-hour lifetime ($0.906/hour), more than the $5.00 left of your monthly budget of $100.00 for ${month} ($95.00 spent so far, by FlightDeck's estimate); ask for fewer or cheaper nodes (that budget covers about 5 hours of this one), or ask your administrator.`,
    );
  });

  it("holds the deployment's budget too, over everyone's spend", async () => {
    given({}, { budgets: { monthlyBudget: "1000" } });
    await world.ledger.setUserSpend(month, "bob", 1000);
    await create();
    expect(h.cfn.commandCalls(CreateStackCommand)).to.have.length(0);
    expect(reasons()?.[0]).to.match(
      /^The deployment's monthly budget of \$1000\.00 for \d{4}-\d\d is spent \(\$1000\.00 so far/,
    );
    expect((await world.ledger.month(DEPLOYMENT_OWNER, month)).users).to.deep.equal({ bob: 1000 });
  });

  it("never blocks a create for want of prices: only a spent budget refuses then", async () => {
    given({ monthlyBudget: "10" });
    world.prices.book = undefined;
    await spent(9);
    await create();
    expect(h.cfn.commandCalls(CreateStackCommand)).to.have.length(1);
    expect((await world.ledger.cluster("alice", stackIdOf("fd-alice-c1")))?.maxPerHour).to.equal(
      undefined,
    );
  });

  it("puts the most per hour in .cf-created's metadata", async () => {
    given({});
    holdSlotFor(h.registry, "fd-alice-c1");
    await world.ledger.openCluster({
      user: "alice",
      cluster: "c1",
      stackId: stackIdOf("fd-alice-c1"),
      createdAt: Date.now(),
      maxPerHour: 0.908,
    });
    h.cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        stack("fd-alice-c1", "CREATE_COMPLETE", {
          Outputs: [{ OutputKey: "LoginIp", OutputValue: "203.0.113.7" }],
        }),
      ],
    });
    await handleCreateOutcome(
      { ...h.createDeps, money: async () => world.money },
      statusEvent("fd-alice-c1", "CREATE_COMPLETE"),
    );
    const put = h.s3
      .commandCalls(PutObjectCommand)
      .find((call) => call.args[0].input.Key === "home/alice/c1.cf-created");
    expect(put?.args[0].input.Metadata).to.include({ "flightdeck-max-cost-per-hour": "0.9080" });
  });
});
