import { expect } from "chai";
import { limitsSummary } from "../../scripts/terraform-plan.js";

/*
 * npm run plan marks a limit as FlightDeck's default only when the settings
 * file leaves it out: an admin who writes the default's own value has set it.
 */

describe("npm run plan's limits in force", () => {
  const limits = { maxClusters: 2, maxComputeNodes: 10 };

  it("marks the limits the settings leave out, and only those", () => {
    const lines = limitsSummary(limits, new Set(["maxComputeNodes"])).split("\n");
    expect(lines).to.have.length(3);
    expect(lines[1]).to.equal("  maxClusters = 2");
    expect(lines[2]).to.equal(
      "  maxComputeNodes = 10  (FlightDeck's default: set limits to change it)",
    );
  });

  it("marks none when the settings name every limit, even at the defaults' values", () => {
    const summary = limitsSummary(limits, new Set());
    expect(summary.split("\n")).to.have.length(3);
    expect(summary).not.to.include("FlightDeck's default");
  });
});
