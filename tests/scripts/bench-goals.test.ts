import { expect } from "chai";
import {
  BenchGoals,
  checkLine,
  exitCodeOf,
  summaryLines,
  type GoalCheck,
} from "../../scripts/bench-goals.js";

/* The benchmarks' verdicts: the figures themselves are never asserted, only how a miss is told. */

const met: GoalCheck = { label: "init", figure: "1.70×", goal: "≤ 1.8×", met: true };
const missed: GoalCheck = { label: "init", figure: "1.85×", goal: "≤ 1.8×", met: false };

describe("bench goals", () => {
  it("prints the figure beside its goal and the verdict", () => {
    expect(checkLine(met)).to.equal("init: 1.70× (goal ≤ 1.8×) → met");
    expect(checkLine(missed)).to.equal("init: 1.85× (goal ≤ 1.8×) → NOT MET");
  });

  it("exits 1 when any goal is missed, 0 only when every one is met", () => {
    expect(exitCodeOf([met, met])).to.equal(0);
    expect(exitCodeOf([met, missed, met])).to.equal(1);
  });

  it("exits 1 when no goal was checked at all", () => {
    expect(exitCodeOf([])).to.equal(1);
    expect(summaryLines("bench:x", [])).to.deep.equal(["bench:x: no goal was checked → NOT MET"]);
  });

  it("names every missed goal in the summary", () => {
    const lines = summaryLines("bench:x", [missed, met, { ...missed, label: "rss" }]);
    expect(lines).to.have.length(3);
    expect(lines[0]).to.equal("bench:x: 1 of 3 goals met, 2 NOT MET:");
    expect(lines.slice(1)).to.deep.equal([
      `  ${checkLine(missed)}`,
      `  ${checkLine({ ...missed, label: "rss" })}`,
    ]);
  });

  it("goes on printing after a miss, and fails at the end", () => {
    const printed: string[] = [];
    const goals = new BenchGoals("bench:x", (line) => printed.push(line));
    expect(goals.check("a", "2", "≤ 1", 2 <= 1)).to.equal(false);
    goals.figure("b", "5 ms");
    expect(goals.check("c", "1", "≤ 1", 1 <= 1)).to.equal(true);
    expect(goals.finish()).to.equal(1);
    expect(printed).to.deep.equal([
      "  a: 2 (goal ≤ 1) → NOT MET",
      "  b: 5 ms (no goal)",
      "  c: 1 (goal ≤ 1) → met",
      "",
      "bench:x: 1 of 2 goals met, 1 NOT MET:",
      "  a: 2 (goal ≤ 1) → NOT MET",
    ]);
  });
});
