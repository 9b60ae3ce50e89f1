import { expect } from "chai";
import { monthWindow } from "../../../functions/shared/money.js";
import type { ClusterUsage } from "../../../functions/shared/runtime/usage-ledger.js";
import {
  accrueSpend,
  totalOf,
  type ClusterRun,
} from "../../../functions/cf-delete/spend-accrual.js";
import { testMoney, testPriceBook } from "../../support/money-fakes.js";

/*
 * With recorded prices and a history of launches,
 * terminations and a spot interruption for three clusters, the spend the
 * sweeps compute equals the sum worked out by hand within 1 %. The sweeps
 * run every 15 minutes over the history, seeing only what EC2 would show
 * (an ended instance for an hour), and a last accrual at each deletion.
 */

const HOUR = 3_600_000;
const t0 = Date.UTC(2026, 11, 1, 8); // 2026-12-01T08:00Z
const at = (hours: number) => t0 + hours * HOUR;
/** gp3: $0.0928 a GiB-month of 730 hours. */
const GIB_HOUR = 0.0928 / 730;
const stackOf = (cluster: string) =>
  `arn:aws:cloudformation:eu-west-2:111122223333:stack/fd-alice-${cluster}/0000`;

describe("spend: three clusters against the hand-computed sum", () => {
  const { money, records, ledger } = testMoney(testPriceBook());
  // Cluster a: on-demand. The master r4.large ($0.156) 10 h with 30 GiB; four
  // c7i.large ($0.0993) with 16 GiB from 1 h: two scale in at 3 h, two at 6 h.
  records.add(
    {
      stackId: stackOf("a"),
      id: "i-a0",
      type: "r4.large",
      launchedAt: at(0),
      endedAt: at(10),
      diskGiB: 30,
    },
    {
      stackId: stackOf("a"),
      id: "i-a1",
      type: "c7i.large",
      launchedAt: at(1),
      endedAt: at(3),
      diskGiB: 16,
    },
    {
      stackId: stackOf("a"),
      id: "i-a2",
      type: "c7i.large",
      launchedAt: at(1),
      endedAt: at(3),
      diskGiB: 16,
    },
    {
      stackId: stackOf("a"),
      id: "i-a3",
      type: "c7i.large",
      launchedAt: at(1),
      endedAt: at(6),
      diskGiB: 16,
    },
    {
      stackId: stackOf("a"),
      id: "i-a4",
      type: "c7i.large",
      launchedAt: at(1),
      endedAt: at(6),
      diskGiB: 16,
    },
  );
  // Cluster b: spot in eu-west-2a, whose price moves 0.035 → 0.041 at 3 h → 0.030 at 7 h.
  // The master m7i.large ($0.1088) 8 h with 30 GiB; b1 from 0.5 h, interrupted at 4 h,
  // replaced by b3 from 4.25 h; b2 from 2 h; both to 8 h; 16 GiB each.
  records.add(
    {
      stackId: stackOf("b"),
      id: "i-b0",
      type: "m7i.large",
      launchedAt: at(0),
      endedAt: at(8),
      diskGiB: 30,
    },
    {
      stackId: stackOf("b"),
      id: "i-b1",
      type: "c7i.large",
      market: "spot",
      launchedAt: at(0.5),
      endedAt: at(4),
      diskGiB: 16,
    },
    {
      stackId: stackOf("b"),
      id: "i-b2",
      type: "c7i.large",
      market: "spot",
      launchedAt: at(2),
      endedAt: at(8),
      diskGiB: 16,
    },
    {
      stackId: stackOf("b"),
      id: "i-b3",
      type: "c7i.large",
      market: "spot",
      launchedAt: at(4.25),
      endedAt: at(8),
      diskGiB: 16,
    },
  );
  records.spot.push(
    { type: "c7i.large", zone: "eu-west-2a", at: at(-20), usd: 0.035 },
    { type: "c7i.large", zone: "eu-west-2a", at: at(3), usd: 0.041 },
    { type: "c7i.large", zone: "eu-west-2a", at: at(7), usd: 0.03 },
  );
  // Cluster c: over the month's turn. The master t3.medium ($0.0472) with 20 GiB from
  // 20:00 on 30 November to 04:00 on 1 December; a spot c7i.large in eu-west-2b, where
  // no history answers (the book's $0.038 prices it), from 23:00 to 01:00, 16 GiB.
  records.add(
    {
      stackId: stackOf("c"),
      id: "i-c0",
      type: "t3.medium",
      launchedAt: at(-12),
      endedAt: at(-4),
      diskGiB: 20,
    },
    {
      stackId: stackOf("c"),
      id: "i-c1",
      type: "c7i.large",
      market: "spot",
      zone: "eu-west-2b",
      launchedAt: at(-9),
      endedAt: at(-7),
      diskGiB: 16,
    },
  );

  const runs: Record<string, ClusterRun> = Object.fromEntries(
    [
      ["a", at(0), at(10)],
      ["b", at(0), at(8)],
      ["c", at(-12), at(-4)],
    ].map(([cluster, createdAt]) => [
      cluster,
      {
        user: "alice",
        cluster: String(cluster),
        stackId: stackOf(String(cluster)),
        createdAt: Number(createdAt),
      },
    ]),
  );
  const deletedAt: Record<string, number> = { a: at(10.1), b: at(8.1), c: at(-3.9) };
  const final = new Map<string, ClusterUsage>();

  before(async () => {
    // Sweeps every 15 minutes over the running clusters; each deletion's last accrual.
    for (let now = at(-12); now <= at(11); now += HOUR / 4) {
      records.now = now;
      const running = Object.values(runs).filter(
        (run) => run.createdAt <= now && now < (deletedAt[run.cluster] ?? 0),
      );
      await accrueSpend(money, testPriceBook(), running, now);
      for (const [cluster, when] of Object.entries(deletedAt)) {
        if (when > now && when <= now + HOUR / 4) {
          records.now = when;
          const [usage] = await accrueSpend(money, testPriceBook(), [runs[cluster]!], when, true);
          final.set(cluster, usage!);
          records.now = now;
        }
      }
    }
  });

  const hand = {
    a: 10 * 0.156 + 10 * 30 * GIB_HOUR + (2 * 2 + 2 * 5) * (0.0993 + 16 * GIB_HOUR),
    b:
      8 * 0.1088 +
      8 * 30 * GIB_HOUR +
      // b1: 0.5–3 h at 0.035, 3–4 h at 0.041
      (2.5 * 0.035 + 1 * 0.041) +
      3.5 * 16 * GIB_HOUR +
      // b2: 2–3 h at 0.035, 3–7 h at 0.041, 7–8 h at 0.030
      (1 * 0.035 + 4 * 0.041 + 1 * 0.03) +
      6 * 16 * GIB_HOUR +
      // b3: 4.25–7 h at 0.041, 7–8 h at 0.030
      (2.75 * 0.041 + 1 * 0.03) +
      3.75 * 16 * GIB_HOUR,
    cNovember: 4 * (0.0472 + 20 * GIB_HOUR) + 1 * (0.038 + 16 * GIB_HOUR),
    cDecember: 4 * (0.0472 + 20 * GIB_HOUR) + 1 * (0.038 + 16 * GIB_HOUR),
  };
  const within1Percent = (computed: number, expected: number, what: string) => {
    console.log(
      `      ${what}: computed $${computed.toFixed(4)}, by hand $${expected.toFixed(4)} (${((100 * (computed - expected)) / expected).toFixed(3)} %)`,
    );
    expect(Math.abs(computed - expected), what).to.be.at.most(expected * 0.01);
  };

  it("prices an on-demand cluster that scaled out and in", () => {
    within1Percent(totalOf(final.get("a")!), hand.a, "cluster a (on-demand, scale-in)");
  });

  it("prices spot nodes at the price history in force, an interruption and its replacement included", () => {
    within1Percent(totalOf(final.get("b")!), hand.b, "cluster b (spot, interrupted)");
  });

  it("splits a cluster that runs over a month's end between the two months", () => {
    const c = final.get("c")!;
    within1Percent(c.spend["2026-11"] ?? 0, hand.cNovember, "cluster c in November");
    within1Percent(c.spend["2026-12"] ?? 0, hand.cDecember, "cluster c in December");
  });

  it("keeps the user's month: December's spend is the three clusters' December spend", async () => {
    const december = await ledger.month("alice", "2026-12");
    const total = Object.values(december.clusters).reduce((sum, c) => sum + c.usd, 0);
    within1Percent(total, hand.a + hand.b + hand.cDecember, "alice's December");
    expect(monthWindow("2026-12").start).to.equal(Date.UTC(2026, 11, 1));
  });

  it("made each record final, with every instance ended", () => {
    for (const usage of final.values()) {
      expect(usage.final).to.equal(true);
      expect(usage.instances.every((i) => i.endedAt !== undefined)).to.equal(true);
    }
  });
});
