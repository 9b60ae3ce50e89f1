/*
 * The hostile suite's bookkeeping: every case belongs to a class of attack,
 * and the suite ends with one summary line saying how many cases ran, how
 * many passed, and what each class proves (tests/hostile/summary.test.ts
 * prints it before mocha's own summary).
 */

/** The classes of attack the suite covers, and what passing each proves. */
export const HOSTILE_CLASSES = {
  "quota races": "N simultaneous uploads never leave more than maxClusters clusters",
  "cost limits": "on-demand and vCPU limits cannot be bypassed by any spelling or default",
  "nesting and prototype keys":
    "deep nesting and __proto__/constructor keys are refused with a sentence, never a crash or a lost limit",
  "look-alike names":
    "unicode look-alikes and case variants never reach another user's or cluster's name",
  "encoded keys":
    "%2E%2E, double encoding, sub-folders and 1,024-byte keys stay in the caller's home",
  "sizes and encodings":
    "zero-byte, 16 KiB ± 1, invalid UTF-8 and BOM configs end in a clear answer",
  "duplicate keys": "JSON with a repeated key is refused naming the key, never last-one-wins",
  "foreign stacks":
    "stacks of other tools or deployments are never reconciled, deleted or counted, only logged",
  "dead ends": "every request ends in a result file, even on failed or half-deleted stacks",
  floods: "200 over-quota uploads cost a bounded number of CloudFormation calls",
  faults: "SES and S3 write faults never lose a request nor create twice",
  "user text":
    "text a user controls on their nodes reaches .cf-failed and the admin's email quoted, bounded and without a link",
  slots:
    "a quota slot belongs to one stack: re-creates, racing sizes and late, repeated or reordered events never leave a stack uncounted",
} as const;
export type HostileClass = keyof typeof HOSTILE_CLASSES;

interface CaseResult {
  readonly cls: HostileClass;
  readonly title: string;
  readonly passed: boolean;
}
const results: CaseResult[] = [];

/** A hostile case: a mocha test whose outcome counts towards its class in the summary. */
export function hostileCase(cls: HostileClass, title: string, body: () => Promise<void>): void {
  it(`[${cls}] ${title}`, async () => {
    try {
      await body();
      results.push({ cls, title, passed: true });
    } catch (error) {
      results.push({ cls, title, passed: false });
      throw error;
    }
  });
}

/** The summary line, or `undefined` when no hostile case ran (a filtered run). */
export function hostileSummary(): string | undefined {
  if (results.length === 0) return undefined;
  const passed = results.filter((r) => r.passed).length;
  const classes = Object.entries(HOSTILE_CLASSES)
    .map(([cls, proves]) => {
      const ofClass = results.filter((r) => r.cls === cls);
      const ok = ofClass.filter((r) => r.passed).length;
      return `${cls} ${ok}/${ofClass.length}: ${proves}`;
    })
    .join("; ");
  return `hostile suite: ${results.length} cases, ${passed} passed, ${results.length - passed} failed — ${classes}`;
}
