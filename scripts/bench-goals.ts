/*
 * The goals of a benchmark, and its verdict. Every benchmark script prints
 * each figure that has a goal beside that goal and whether it was met, keeps
 * going after a miss (so a run always prints every figure), and exits 1 at
 * the end when any goal was missed. A figure that cannot be computed (NaN)
 * meets no goal. Figures with no goal are printed as such.
 */

/** One figure judged against its goal. */
export interface GoalCheck {
  readonly label: string;
  /** The figure as measured, with its unit: "1,180 ms", "1.78×". */
  readonly figure: string;
  /** The goal in words: "≤ 3,000 ms". */
  readonly goal: string;
  readonly met: boolean;
}

/** A check's line: the figure, its goal and the verdict side by side. */
export function checkLine(check: GoalCheck): string {
  return `${check.label}: ${check.figure} (goal ${check.goal}) → ${check.met ? "met" : "NOT MET"}`;
}

/** A figure with no goal, marked as such so it is not mistaken for a judged one. */
function figureLine(label: string, figure: string): string {
  return `${label}: ${figure} (no goal)`;
}

/** The closing lines of a benchmark: how many goals were met, and each one missed. */
export function summaryLines(bench: string, checks: readonly GoalCheck[]): string[] {
  const missed = checks.filter((c) => !c.met);
  if (checks.length === 0) return [`${bench}: no goal was checked → NOT MET`];
  return [
    `${bench}: ${checks.length - missed.length} of ${checks.length} goals met` +
      (missed.length === 0 ? "" : `, ${missed.length} NOT MET:`),
    ...missed.map((c) => `  ${checkLine(c)}`),
  ];
}

/** The exit code for these checks: 1 when any goal was missed, or none was checked. */
export function exitCodeOf(checks: readonly GoalCheck[]): 0 | 1 {
  return checks.length > 0 && checks.every((c) => c.met) ? 0 : 1;
}

/** A benchmark's goals as it runs: prints each check at once and the verdict at the end. */
export class BenchGoals {
  private readonly checks: GoalCheck[] = [];

  constructor(
    private readonly bench: string,
    private readonly print: (line: string) => void = (line) => console.log(line),
  ) {}

  /** Prints the figure beside its goal and verdict; returns whether it was met. */
  check(label: string, figure: string, goal: string, met: boolean, indent = "  "): boolean {
    const check = { label, figure, goal, met };
    this.checks.push(check);
    this.print(`${indent}${checkLine(check)}`);
    return met;
  }

  /** Prints a figure that has no goal. */
  figure(label: string, figure: string, indent = "  "): void {
    this.print(`${indent}${figureLine(label, figure)}`);
  }

  /** Prints the summary and returns the exit code for the script ({@link exitCodeOf}). */
  finish(): 0 | 1 {
    this.print("");
    for (const line of summaryLines(this.bench, this.checks)) this.print(line);
    return exitCodeOf(this.checks);
  }
}
