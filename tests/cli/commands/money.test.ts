import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { clusterRequestCommand } from "../../../cli/commands/cluster-request.js";
import { statusCommand } from "../../../cli/commands/status.js";
import { usageSummary } from "../../../cli/admin/usage-report.js";
import { PRICE_BOOK_KEY } from "../../../functions/shared/price-book.js";
import { LIFETIME_METADATA } from "../../../functions/shared/result-files.js";
import { usageReportOf } from "../../../functions/shared/usage-files.js";
import { contextFor, MemoryHome } from "../../support/memory-home.js";
import { testPriceBook } from "../../support/money-fakes.js";
import { cli } from "../../support/run-cli.js";

/*
 * Money in the command: validate (offline, with the last prices it kept)
 * and create print the price before launch; status and list show each
 * running cluster's most per hour and the month's spend, from the user's own
 * files; `admin usage` sums the ledger per user and cluster.
 */

describe("flightdeck: money", function () {
  this.timeout(60_000);
  let folder: string;
  let prices: string;
  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), "fd-money-cli-"));
    prices = path.join(folder, "prices.json");
    writeFileSync(prices, JSON.stringify(testPriceBook("2026-12-01T00:00:00Z")));
    writeFileSync(
      path.join(folder, "cluster.json"),
      JSON.stringify({
        ComputeInstanceType: "other",
        ComputeInstanceTypeOther: "c7i.large-2C-4GB",
        MasterInstanceType: "other",
        MasterInstanceTypeOther: "r4.large-2C-15.25GB",
        ComputeMaxNodes: 4,
        ComputeSpotPrice: "0.05",
        MasterSystemVolumeSize: 30,
      }),
    );
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it("validate prices a config with the kept prices and says how old they are", async () => {
    const run = await cli(["validate", path.join(folder, "cluster.json")], {
      FLIGHTDECK_PRICES: prices,
    });
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(
      /^Price: up to \$0\.664\/hour: master r4\.large on-demand \$0\.156 \+ 4 × c7i\.large\/c6i\.large\/c5\.large\/c5n\.large at your spot cap of \$0\.05 or on-demand up to \$0\.124 when spot fails \+ disks \$0\.012; at most \$111\.54 over its 168-hour lifetime \(an estimate from AWS list prices for eu-west-2 of 2026-12-01, [^)]+ old; your administrator may give your clusters a shorter lifetime\)$/m,
    );
    const json = await cli(["--json", "validate", path.join(folder, "cluster.json")], {
      FLIGHTDECK_PRICES: prices,
    });
    const price = (JSON.parse(json.stdout) as { price: Record<string, unknown> }).price;
    expect(price).to.deep.include({ lifetimeHours: 168, pricesFetchedAt: "2026-12-01T00:00:00Z" });
    // Spot nodes may fall back to on-demand here (no limit forbids it): c5n.large's $0.124 is the most.
    expect(price["perHour"]).to.be.closeTo(0.156 + 4 * 0.124 + (94 * 0.0928) / 730, 1e-9);
  });

  it("validate says the price is unknown, and how to get prices, when it has none", async () => {
    const run = await cli(["validate", path.join(folder, "cluster.json")], {
      FLIGHTDECK_PRICES: path.join(folder, "none.json"),
    });
    expect(run.code).to.equal(0);
    expect(run.stdout).to.contain(
      "Price: price unknown: no prices yet (flightdeck create, status or list fetch FlightDeck's published prices; validate and render then use them offline)",
    );
  });

  it("create prints the price before it uploads, and keeps the published prices for validate", async () => {
    const home = new MemoryHome();
    const kept = path.join(folder, "kept", "prices.json");
    home.files.set(PRICE_BOOK_KEY, {
      text: JSON.stringify(testPriceBook("2026-12-05T00:00:00Z")),
      lastModified: new Date(),
      metadata: {},
    });
    const { ctx, printed } = contextFor(home, { env: { FLIGHTDECK_PRICES: kept } });
    const code = await clusterRequestCommand(ctx, "create", "c1", {
      config: path.join(folder, "cluster.json"),
    });
    expect(code).to.equal(0);
    expect(printed.stderr).to.match(
      /^Price: up to \$0\.664\/hour: .*of 2026-12-05, .*\nRequested create of cluster c1/m,
    );
    expect(home.writes).to.deep.equal(["home/alice/c1.cf-create"]);
    expect(existsSync(kept) && JSON.parse(readFileSync(kept, "utf8")).fetchedAt).to.equal(
      "2026-12-05T00:00:00Z",
    );
  });

  it("status shows a running cluster's most per hour and each cluster's spend, then the month and budget", async () => {
    const home = new MemoryHome();
    home.put("c1.cf-created", "203.0.113.7\n", { [LIFETIME_METADATA.maxCostPerHour]: "0.3650" });
    home.put("old.cf-deleted", "gone\n");
    const month = new Date().toISOString().slice(0, 7);
    const report = usageReportOf({
      month,
      nowMs: Date.now(),
      clusters: { s1: { cluster: "c1", usd: 12.345 }, s0: { cluster: "old", usd: 3 } },
      running: new Map([["s1", 0.365]]),
      standing: { budget: 100, spent: 15.345, left: 84.655, level: "ok" },
    });
    home.put("flightdeck-usage.json", JSON.stringify(report));
    const { ctx, printed } = contextFor(home, {
      env: { FLIGHTDECK_PRICES: path.join(folder, "s.json") },
    });
    expect(await statusCommand(ctx, undefined)).to.equal(0);
    const lines = printed.stdout.split("\n");
    expect(lines[0]).to.match(
      /^CLUSTER +STATE +AGE +EXPIRES IN +IDLE DELETE +MAX\/HOUR +SPENT +DETAIL$/,
    );
    expect(lines.find((l) => l.startsWith("c1 "))).to.match(
      / \$0\.365 +\$12\.35 +ssh alice@203\.0\.113\.7$/,
    );
    expect(lines.find((l) => l.startsWith("old "))).to.match(/ - +\$3\.00 *$/);
    expect(printed.stdout).to.contain(
      `Spent in ${month}: $15.35 of your $100.00 monthly budget ($84.66 left)`,
    );
    expect(printed.stdout).to.contain("Every figure is an estimate");
    const json = contextFor(home, {
      env: { FLIGHTDECK_PRICES: path.join(folder, "s.json") },
      global: { json: true },
    });
    await statusCommand(json.ctx, "c1");
    expect(JSON.parse(json.printed.stdout)[0]).to.deep.include({
      maxCostPerHour: 0.365,
      spent: 12.35,
    });
  });

  it("admin usage sums each user's clusters, and the deployment's", () => {
    const summary = usageSummary(
      "2026-12",
      [
        {
          owner: "alice",
          month: "2026-12",
          clusters: { s1: { cluster: "c1", usd: 1.234 }, s2: { cluster: "c1", usd: 2 } },
          users: {},
          stopAt: Date.UTC(2026, 11, 9),
        },
        { owner: "#deployment", month: "2026-12", clusters: {}, users: { alice: 3.234 } },
        { owner: "bob", month: "2026-12", clusters: { s3: { cluster: "b", usd: 0.5 } }, users: {} },
      ],
      { deployment: 1000, user: (user) => (user === "alice" ? 5 : undefined) },
      "#deployment",
    );
    expect(summary).to.deep.equal({
      month: "2026-12",
      spent: 3.73,
      budget: 1000,
      users: [
        {
          user: "alice",
          spent: 3.23,
          budget: 5,
          stopAt: "2026-12-09T00:00:00.000Z",
          clusters: [
            { cluster: "c1", stackId: "s1", usd: 1.23 },
            { cluster: "c1", stackId: "s2", usd: 2 },
          ],
        },
        { user: "bob", spent: 0.5, clusters: [{ cluster: "b", stackId: "s3", usd: 0.5 }] },
      ],
    });
  });
});
