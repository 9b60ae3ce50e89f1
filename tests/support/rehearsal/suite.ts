import { Rehearsal, rehearsalBlockers, type RehearsalOptions } from "./cluster.js";

/*
 * A mocha suite around one rehearsal run: it starts the run (or, where the
 * rehearsal cannot run, fails under CI and skips loudly elsewhere, as the
 * terraform plan checks do), bounds every test by the run's budget, and
 * stops the run afterwards, keeping its logs if a test failed.
 */
export function rehearsalSuite(
  title: string,
  options: RehearsalOptions,
  define: (rehearsal: () => Rehearsal) => void,
): void {
  describe(title, function () {
    this.timeout(options.budgetSeconds * 1000);
    let rehearsal: Rehearsal | undefined;
    let failed = false;

    before(async function () {
      const blockers = rehearsalBlockers();
      if (blockers.length > 0) {
        const why = `the cluster rehearsal cannot run here: it needs ${blockers.join(", ")}`;
        if (process.env["CI"]) throw new Error(`${why}; .ci/run installs what it needs.`);
        console.warn(`      ${why}. Skipping it (CI runs it).`);
        this.skip();
      }
      rehearsal = await Rehearsal.start(options);
    });

    afterEach(function () {
      if (this.currentTest?.state === "failed") failed = true;
    });

    after(async () => {
      if (rehearsal === undefined) return;
      if (!failed) rehearsal.pass();
      await rehearsal.stop();
    });

    define(() => {
      if (rehearsal === undefined) throw new Error("the rehearsal did not start");
      return rehearsal;
    });
  });
}
