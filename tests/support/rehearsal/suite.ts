import { Rehearsal, rehearsalBlockers, type RehearsalOptions } from "./rehearsal.js";

/**
 * Skips the calling suite, loudly, where the rehearsal cannot run, and fails
 * it instead under CI=true, unless FD_REHEARSAL=skip says the CI runs it
 * elsewhere (as the GitHub workflow does: its runners are not root).
 */
export function requireRehearsalHost(context: Mocha.Context): void {
  if (process.env["FD_REHEARSAL"] === "skip") {
    console.warn("      FD_REHEARSAL=skip: the cluster rehearsal does not run here.");
    context.skip();
  }
  const blockers = rehearsalBlockers();
  if (blockers.length === 0) return;
  const why = `the cluster rehearsal cannot run here: it needs ${blockers.join(", ")}`;
  if (process.env["CI"]) throw new Error(`${why}; .ci/run installs what it needs.`);
  console.warn(`      ${why}. Skipping it (CI runs it).`);
  context.skip();
}

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
      requireRehearsalHost(this);
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
