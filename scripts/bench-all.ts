import { spawnSync } from "node:child_process";

/*
 * `npm run bench`: every benchmark in turn, each to its end even when one
 * before it missed a goal (a `&&` chain would stop at the first miss and
 * never print the rest), then exits 1 if any of them did.
 */

const BENCHES = [
  "bench:handlers",
  "bench:cli",
  "bench:infra",
  "bench:budget",
  "bench:storm",
] as const;

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const outcomes = BENCHES.map((bench) => {
  const result = spawnSync(npm, ["run", "--silent", bench], { stdio: "inherit" });
  return { bench, code: result.error === undefined ? result.status : null };
});

console.log("\n# npm run bench");
for (const { bench, code } of outcomes)
  console.log(`  ${bench.padEnd(16)} ${code === 0 ? "every goal met" : `exit ${code ?? "?"}`}`);
process.exitCode = outcomes.every((o) => o.code === 0) ? 0 : 1;
