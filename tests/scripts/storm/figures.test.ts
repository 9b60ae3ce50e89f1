import { expect } from "chai";
import { most, pct } from "../../../scripts/storm/figures.js";

/* bench:storm's statistics: an empty list must never meet an upper bound. */

describe("bench:storm figures", () => {
  it("takes percentiles by nearest rank", () => {
    const values = [5, 1, 4, 2, 3];
    expect([pct(values, 50), pct(values, 95), pct(values, 0)]).to.deep.equal([3, 5, 1]);
  });

  it("gives NaN, not a number that meets a bound, for no values", () => {
    expect(Number.isNaN(pct([], 50))).to.equal(true);
    expect(Number.isNaN(most([]))).to.equal(true);
    expect(most([3, 9, 4])).to.equal(9);
  });
});
