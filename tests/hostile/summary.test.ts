import { hostileSummary } from "./support/hostile-cases.js";

// A root hook: runs once after every spec file, so the line follows the
// last hostile case and precedes mocha's own summary.
after(() => {
  const line = hostileSummary();
  if (line !== undefined) console.log(`\n  ${line}\n`);
});
