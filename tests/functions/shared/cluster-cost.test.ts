import { expect } from "chai";
import { readFileSync } from "node:fs";
import { decodeTemplate } from "../../../functions/shared/cfn-template.js";
import {
  clusterShapeOf,
  mostExpensiveType,
  quoteCluster,
  type ClusterShape,
} from "../../../functions/shared/cluster-cost.js";
import type { PriceBook } from "../../../functions/shared/price-book.js";
import { rightOf } from "../../support/either.js";
import { testPriceBook } from "../../support/money-fakes.js";

/*
 * The price before launch: the most a cluster can cost per hour (every node
 * up, each at its spot cap or on-demand, the master on-demand, their disks)
 * and over its lifetime, as validate, render, create and cf-create say it.
 */

const usEast: PriceBook = {
  ...testPriceBook(),
  region: "us-east-1",
  onDemand: { "r4.large": 0.133, "c7i.large": 0.08925, "c6i.large": 0.085, "c5.large": 0.085 },
  gp3PerGiBMonth: undefined,
};
const shape = (extra: Partial<ClusterShape>): ClusterShape => ({
  masterType: "r4.large",
  computeTypes: ["r4.large"],
  maxNodes: 25,
  spotCap: 0.03,
  onDemandFallback: false,
  masterDiskGiB: 0,
  computeDiskGiB: 0,
  ...extra,
});

describe("the price before launch", () => {
  it("says the issue's example as the issue says it", () => {
    const quote = quoteCluster(shape({}), usEast, 72);
    expect(quote.kind === "priced" && quote.text).to.equal(
      "up to $0.883/hour: master r4.large on-demand $0.133 + 25 × r4.large at your spot cap of $0.03; at most $63.58 over its 72-hour lifetime",
    );
  });

  it("prices on-demand nodes at the most expensive type they may run as", () => {
    const quote = quoteCluster(
      shape({
        spotCap: undefined,
        computeTypes: ["c6i.large", "c7i.large", "c5.large"],
        maxNodes: 4,
      }),
      usEast,
      10,
    );
    expect(quote).to.deep.include({ kind: "priced", perHour: 0.133 + 4 * 0.08925 });
    expect(quote.text).to.include("4 × c7i.large on-demand $0.089");
  });

  it("counts on-demand as the most when spot nodes may fall back to it", () => {
    const quote = quoteCluster(
      shape({ computeTypes: ["c7i.large", "c6i.large"], onDemandFallback: true, maxNodes: 2 }),
      usEast,
      1,
    );
    expect(quote).to.deep.include({ perHour: 0.133 + 2 * 0.08925 });
    expect(quote.text).to.include(
      "at your spot cap of $0.03 or on-demand up to $0.089 when spot fails",
    );
  });

  it("counts the disks at the book's gp3 price", () => {
    const quote = quoteCluster(
      shape({ masterDiskGiB: 30, computeDiskGiB: 16, maxNodes: 1 }),
      testPriceBook(),
      1,
    );
    expect(quote.kind === "priced" && quote.perHour).to.be.closeTo(
      0.156 + 0.03 + (46 * 0.0928) / 730,
      1e-12,
    );
    expect(quote.text).to.include("+ disks $0.006");
  });

  it("says the price is unknown rather than guess: no book, or a type it lacks", () => {
    expect(quoteCluster(shape({}), undefined, 1).text).to.equal(
      "price unknown: no price for the master's instance type r4.large",
    );
    expect(
      quoteCluster(shape({ spotCap: undefined, computeTypes: ["x9.huge"] }), usEast, 1).text,
    ).to.equal("price unknown: no price for the compute instance type x9.huge");
    expect(mostExpensiveType(["r4.large", "x9.huge"], (t) => usEast.onDemand[t])).to.equal(
      undefined,
    );
  });

  it("reads the shape from the default template and a merge's parameters", () => {
    const template = rightOf(
      decodeTemplate(JSON.parse(readFileSync("template/cluster.json", "utf8"))),
    );
    const shaped = clusterShapeOf(template, {
      ComputeInstanceType: "other",
      ComputeInstanceTypeOther: "c7i.2xlarge-8C-16GB",
      MasterInstanceType: "other",
      MasterInstanceTypeOther: "r4.large-2C-15.25GB",
      ComputeMaxNodes: "28",
      ComputeSpotPrice: "0.05",
      MasterSystemVolumeSize: "40",
    });
    expect(shaped).to.deep.include({
      masterType: "r4.large",
      maxNodes: 28,
      spotCap: 0.05,
      masterDiskGiB: 40,
      computeDiskGiB: 16,
    });
    expect(shaped.computeTypes[0]).to.equal("c7i.2xlarge");
  });
});
