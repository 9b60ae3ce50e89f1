import { expect } from "chai";
import { fixtureEslint, lintAs } from "./support/fixture-linter.js";

/*
 * The size limits of eslint.config.mjs, proven by fixtures: in every folder
 * of source they hold for (each fixture's file need not exist), a file over
 * 300 lines and a function over 60 (blank lines and comments aside) fail,
 * and so does an exception that gives no reason or excuses nothing.
 */

/** Where the fixtures pretend to live: one file per pattern the limits are configured for. */
const SOURCE_FILES = [
  "functions/shared/fixture.ts",
  "stacks/fixture.ts",
  "cli/commands/fixture.ts",
  "template/fixture.ts",
  "scripts/fixture.ts",
  "main.ts",
  "build.mjs",
  "tests/support/rehearsal/fake-aws/fixture.ts",
  "tests/support/fixture.ts",
  "tests/functions/shared/runtime/fixture-contract.ts",
];

/** A function of `lines` lines as max-lines-per-function counts them (its blank and comment aside). */
const functionOf = (lines: number) =>
  [
    "export function f() {",
    "  let n = 0;",
    "",
    "  // Not counted.",
    ...Array.from({ length: lines - 4 }, () => "  n += 1;"),
    "  return n;",
    "}",
  ].join("\n") + "\n";

/** A file of `lines` lines. */
const fileOf = (lines: number) =>
  Array.from({ length: lines }, (_, i) => `export const a${i} = ${i};`).join("\n") + "\n";

describe("size limits (eslint.config.mjs)", function () {
  this.timeout(60_000);
  const eslint = fixtureEslint();
  const rulesFired = async (source: string, filePath: string) =>
    (await lintAs(eslint, source, filePath)).map((m) => m.ruleId);

  for (const filePath of SOURCE_FILES) {
    describe(filePath, () => {
      it("lets a 60-line function and a 300-line file through", async () => {
        expect(await rulesFired(functionOf(60), filePath)).to.deep.equal([]);
        expect(await rulesFired(fileOf(300), filePath)).to.deep.equal([]);
      });

      it("fails a 61-line function", async () => {
        expect(await rulesFired(functionOf(61), filePath)).to.deep.equal([
          "max-lines-per-function",
        ]);
      });

      it("fails a 301-line file", async () => {
        expect(await rulesFired(fileOf(301), filePath)).to.deep.equal(["max-lines"]);
      });
    });
  }

  it("holds no spec to them: a test file's describe is as long as its cases", async () => {
    expect(await rulesFired(fileOf(301), "tests/support/fixture.test.ts")).to.deep.equal([]);
    expect(await rulesFired(functionOf(61), "tests/cli/fixture.test.ts")).to.deep.equal([]);
  });

  it("lets a long function through behind a directive that says why", async () => {
    const source = `// eslint-disable-next-line max-lines-per-function -- a table read whole\n${functionOf(61)}`;
    expect(await rulesFired(source, "stacks/fixture.ts")).to.deep.equal([]);
  });

  it("fails a directive that gives no reason", async () => {
    const source = `// eslint-disable-next-line max-lines-per-function\n${functionOf(61)}`;
    expect(await rulesFired(source, "stacks/fixture.ts")).to.deep.equal([
      "@eslint-community/eslint-comments/require-description",
    ]);
  });

  it("fails a directive that excuses nothing", async () => {
    const source = `// eslint-disable-next-line max-lines-per-function -- no longer long\n${functionOf(10)}`;
    // ESLint reports an unused directive with no rule id.
    expect(await rulesFired(source, "stacks/fixture.ts")).to.deep.equal([null]);
  });
});
