// The coverage gate of `npm test` (docs/development.md, "Coverage"): after c8 has run mocha and
// written coverage/coverage-summary.json, prints lines, branches and functions covered in each
// folder the gate measures and fails when any falls below its floor in thresholds.json.
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const floors = JSON.parse(readFileSync(new URL("thresholds.json", import.meta.url), "utf8"));
const summary = JSON.parse(
  readFileSync(path.join(root, "coverage", "coverage-summary.json"), "utf8"),
);

// V8's raw output (some 300 MB a run) has served its purpose once c8 has written the reports.
rmSync(path.join(root, "coverage", "tmp"), { recursive: true, force: true });

const METRICS = ["lines", "branches", "functions"];
/** Which folder of the gate a covered file belongs to. */
const folderOf = (file) => {
  const relative = path.relative(root, file).split(path.sep);
  return relative.length === 2 && relative[0] === "template" ? "template/*.ts" : `${relative[0]}/`;
};

const totals = {};
for (const [file, figures] of Object.entries(summary)) {
  if (file === "total") continue;
  const folder = folderOf(file);
  totals[folder] ??= Object.fromEntries(METRICS.map((m) => [m, { total: 0, covered: 0 }]));
  for (const metric of METRICS) {
    totals[folder][metric].total += figures[metric].total;
    totals[folder][metric].covered += figures[metric].covered;
  }
}
totals["all"] = Object.fromEntries(METRICS.map((m) => [m, summary.total[m]]));

const percent = ({ total, covered }) => (total === 0 ? 100 : (100 * covered) / total);
const misses = [];
console.log(`\nCoverage by folder, % (floor in brackets):`);
console.log(`  ${"".padEnd(14)}${METRICS.map((m) => m.padStart(16)).join("")}`);
for (const [folder, floor] of Object.entries(floors.folders)) {
  const figures = totals[folder];
  if (figures === undefined) {
    misses.push(`${folder}: no file of it was measured`);
    continue;
  }
  const cells = METRICS.map((metric) => {
    const pct = percent(figures[metric]);
    if (pct < floor[metric])
      misses.push(`${folder} ${metric} ${pct.toFixed(2)}% < ${floor[metric]}%`);
    return `${pct.toFixed(2)} [${floor[metric]}]`.padStart(16);
  });
  console.log(`  ${folder.padEnd(14)}${cells.join("")}`);
}
if (misses.length > 0) {
  console.error(
    `\nCoverage below its floor (scripts/coverage/thresholds.json):\n  ${misses.join("\n  ")}`,
  );
  process.exit(1);
}
