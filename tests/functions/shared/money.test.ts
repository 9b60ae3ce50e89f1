import { expect } from "chai";
import fc from "fast-check";
import { isoTime } from "../../../functions/shared/cluster-lifetime.js";
import {
  cents,
  monthOf,
  monthsBetween,
  monthWindow,
  parseIsoTime,
  usd,
} from "../../../functions/shared/money.js";

describe("money: dollars and months", () => {
  it("writes rates to a tenth of a cent below a dollar, sums to the cent", () => {
    expect([usd(0.133), usd(0.03), usd(0.0993), usd(59.764), usd(0)]).to.deep.equal([
      "$0.133",
      "$0.03",
      "$0.099",
      "$59.76",
      "$0.00",
    ]);
    expect([cents(0.309), cents(100.4), cents(-2)]).to.deep.equal(["$0.31", "$100.40", "-$2.00"]);
  });

  it("knows each month's first and last moments, February of a leap year included", () => {
    expect(monthWindow("2026-12")).to.deep.equal({
      start: Date.UTC(2026, 11, 1),
      end: Date.UTC(2027, 0, 1),
    });
    expect(monthWindow("2028-02").end - monthWindow("2028-02").start).to.equal(29 * 86_400_000);
    expect(() => monthWindow("2026-13")).to.throw("not a month");
  });

  it("puts every moment in the month whose window holds it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        const { start, end } = monthWindow(monthOf(ms));
        return start <= ms && ms < end;
      }),
    );
  });

  it("reads back any moment isoTime writes, and nothing else", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), (seconds) => {
        const ms = seconds * 1000;
        return parseIsoTime(isoTime(ms)) === ms;
      }),
    );
    expect(parseIsoTime("2026-12-06T10:00:00.250Z")).to.equal(Date.UTC(2026, 11, 6, 10) + 250);
    expect(Number.isNaN(parseIsoTime("yesterday"))).to.equal(true);
  });

  it("lists the months a span touches", () => {
    expect(monthsBetween(Date.UTC(2026, 10, 30, 20), Date.UTC(2027, 0, 1, 0, 0, 1))).to.deep.equal([
      "2026-11",
      "2026-12",
      "2027-01",
    ]);
  });
});
