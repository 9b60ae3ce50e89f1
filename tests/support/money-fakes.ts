import { readFileSync } from "node:fs";
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import type { PriceBook } from "../../functions/shared/price-book.js";
import type { SpotQuote, StackInstance } from "../../functions/shared/runtime/ec2-records.js";
import type { AwsRecords, Money, PriceSource } from "../../functions/shared/runtime/money.js";
import type { Market } from "../../functions/shared/spend.js";
import { fixturePath } from "./fixtures.js";
import { MemoryUsageLedger } from "./memory-usage-ledger.js";

/*
 * Money's outside world for handler tests and the budget bench: EC2's
 * records of instances that launch and end on a script (as DescribeInstances
 * would show them: ended ones for an hour only), a spot price history, and
 * a price book that is simply there.
 */

/** One instance of the script: which stack, when it ran, and how. */
export interface ScriptedInstance {
  readonly stackId: string;
  readonly id: string;
  readonly type: string;
  readonly zone?: string;
  readonly market?: Market;
  readonly launchedAt: number;
  readonly endedAt?: number;
  readonly diskGiB?: number;
}

/** How long EC2 shows an ended instance. */
const SHOWN_AFTER_END_MS = 3_600_000;

class ScriptedRecords implements AwsRecords {
  readonly instances: ScriptedInstance[] = [];
  readonly spot: SpotQuote[] = [];
  /** The clock EC2 answers by (the sweep's, in a test). */
  now = 0;
  calls = { instances: 0, volumes: 0, spot: 0 };

  add(...instances: ScriptedInstance[]): void {
    this.instances.push(...instances);
  }

  async stackInstances(stackIds: readonly string[]): Promise<StackInstance[]> {
    this.calls.instances += 1;
    return this.instances
      .filter(
        (i) =>
          stackIds.includes(i.stackId) &&
          i.launchedAt <= this.now &&
          (i.endedAt === undefined || this.now - i.endedAt < SHOWN_AFTER_END_MS),
      )
      .map((i) => {
        const ended = i.endedAt !== undefined && i.endedAt <= this.now;
        return {
          stackId: i.stackId,
          volumeIds: ended ? [] : [`vol-${i.id}`],
          instance: {
            id: i.id,
            type: i.type,
            zone: i.zone ?? "eu-west-2a",
            market: i.market ?? "on-demand",
            launchedAt: i.launchedAt,
            state: ended ? "terminated" : "running",
            endedAt: ended ? i.endedAt : undefined,
          },
        };
      });
  }

  async volumeSizes(volumeIds: readonly string[]): Promise<Map<string, number>> {
    this.calls.volumes += 1;
    return new Map(
      volumeIds.flatMap((volume) => {
        const instance = this.instances.find((i) => `vol-${i.id}` === volume);
        return instance === undefined ? [] : [[volume, instance.diskGiB ?? 0] as const];
      }),
    );
  }

  async spotHistory(query: {
    readonly types: readonly string[];
    readonly zones: readonly string[];
    readonly start: number;
    readonly end: number;
  }): Promise<SpotQuote[]> {
    this.calls.spot += 1;
    return this.spot.filter(
      (q) => query.types.includes(q.type) && query.zones.includes(q.zone) && q.at <= query.end,
    );
  }
}

/** A price source holding one book; refresh counts and returns it. */
class FixedPrices implements PriceSource {
  refreshes = 0;
  constructor(public book: PriceBook | undefined) {}
  async current() {
    return this.book;
  }
  async refresh(nowMs: number) {
    this.refreshes += 1;
    if (this.book === undefined) throw new Error("no prices to refresh with");
    this.book = { ...this.book, fetchedAt: new Date(nowMs).toISOString() };
    return this.book;
  }
}

/** A recorded-style price book: eu-west-2, a few types, gp3 at $0.0928/GiB-month. */
export function testPriceBook(fetchedAt = "2026-12-01T00:00:00Z"): PriceBook {
  return {
    flightdeck: "prices",
    region: "eu-west-2",
    fetchedAt,
    onDemand: {
      "r4.large": 0.156,
      "c7i.large": 0.0993,
      "c6i.large": 0.0958,
      "c5.large": 0.101,
      "c5n.large": 0.124,
      "c7i.2xlarge": 0.3973,
      "m7i.large": 0.1088,
      "t3.medium": 0.0472,
    },
    spot: { "c7i.large": { "eu-west-2a": 0.035, "eu-west-2b": 0.038 } },
    gp3PerGiBMonth: 0.0928,
  };
}

/** Money over the memory ledger, scripted records and a fixed book. */
export function testMoney(book: PriceBook | undefined = testPriceBook()): {
  money: Money;
  ledger: MemoryUsageLedger;
  records: ScriptedRecords;
  prices: FixedPrices;
} {
  const ledger = new MemoryUsageLedger();
  const records = new ScriptedRecords();
  const prices = new FixedPrices(book);
  return { money: { ledger, records, prices }, ledger, records, prices };
}

/** The Price List answers of tests/fixtures/pricing (hand-built, in the shape AWS documents): instances, then gp3. */
export function pricingFixture(): {
  readonly instancePages: Array<{ PriceList: string[] }>;
  readonly storagePages: Array<{ PriceList: string[] }>;
} {
  return JSON.parse(
    readFileSync(fixturePath("pricing/get-products-eu-west-2.hand-built.json"), "utf8"),
  ) as ReturnType<typeof pricingFixture>;
}

/** The usage ledger's table as the deployment defines it (stacks/budgets/usage-table.ts), for dynalite. */
export function usageTableInput(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    BillingMode: "PAY_PER_REQUEST",
  };
}
