import { expect } from "chai";
import {
  ageText,
  isStale,
  parsePriceBook,
  PRICE_REFRESH_HOURS,
} from "../../../functions/shared/price-book.js";
import { gp3Price, onDemandPrices, productPrice } from "../../../functions/shared/price-list.js";
import { pricingFixture, testPriceBook } from "../../support/money-fakes.js";

/* The Price List's answers (a hand-built fixture in the documented shape) and the price book. */

const fixture = pricingFixture();
const entries = fixture.instancePages.flatMap((p) => p.PriceList);

describe("the Price List and the price book", () => {
  it("reads each instance type's hourly on-demand price, skipping products with none", () => {
    expect(onDemandPrices(entries)).to.deep.equal({
      "r4.large": 0.156,
      "c7i.large": 0.0993,
      "m7i.large": 0.1088,
    });
    expect(productPrice("not json")).to.equal(undefined);
    expect(productPrice(JSON.stringify({ product: {}, terms: {} }))).to.equal(undefined);
  });

  it("reads gp3 storage's price per GiB-month", () => {
    expect(gp3Price(fixture.storagePages.flatMap((p) => p.PriceList))).to.equal(0.0928);
    expect(gp3Price(entries)).to.equal(undefined);
  });

  it("is refreshed once older than its refresh interval, and says its age", () => {
    const book = testPriceBook("2026-12-06T00:00:00Z");
    const at = Date.UTC(2026, 11, 6);
    expect(isStale(book, at + (PRICE_REFRESH_HOURS * 3600e3 - 1))).to.equal(false);
    expect(isStale(book, at + PRICE_REFRESH_HOURS * 3600e3)).to.equal(true);
    expect(isStale(undefined, at)).to.equal(true);
    expect(ageText(book, at + 3 * 3600e3)).to.equal("3 hours old");
    expect(ageText(book, at + 80 * 3600e3)).to.equal("3 days old");
  });

  it("reads a published book back, and nothing that is not one", () => {
    const book = testPriceBook();
    expect(parsePriceBook(JSON.stringify(book))).to.deep.equal(book);
    expect(parsePriceBook(JSON.stringify({ ...book, onDemand: { x: -1 } }))).to.equal(undefined);
    expect(parsePriceBook("{")).to.equal(undefined);
  });
});
