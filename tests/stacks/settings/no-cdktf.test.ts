import { expect } from "chai";
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

/** Every module reachable from `entry` by relative imports, with the packages each imports. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [normalize(entry)];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (graph.has(file)) continue;
    const source = readFileSync(file, "utf8");
    const specifiers = [...source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)].map(
      (m) => m[1] as string,
    );
    graph.set(
      file,
      specifiers.filter((s) => !s.startsWith(".")),
    );
    for (const specifier of specifiers.filter((s) => s.startsWith("."))) {
      pending.push(normalize(join(dirname(file), specifier.replace(/\.js$/, ".ts"))));
    }
  }
  return graph;
}

describe("the settings modules the CLI imports", () => {
  for (const entry of ["stacks/settings/settings.ts", "stacks/settings/policy.ts"]) {
    it(`${entry} loads no cdktf, constructs or provider code`, () => {
      const graph = importGraph(entry);
      expect(graph.size).to.be.greaterThan(1);
      for (const [file, packages] of graph) {
        expect(
          packages.filter((p) => /^(cdktf|constructs|@cdktf\/)/.test(p)),
          file,
        ).to.deep.equal([]);
      }
    });
  }
});
