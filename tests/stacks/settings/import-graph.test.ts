import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

/** One module's imports: the packages, and the project modules (as `.ts` paths). */
interface Imports {
  readonly packages: string[];
  readonly modules: string[];
}

/** Every module reachable from `entries` by relative imports (type-only ones included). */
function importGraph(entries: readonly string[]): Map<string, Imports> {
  const graph = new Map<string, Imports>();
  const pending = entries.map((entry) => normalize(entry));
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (graph.has(file)) continue;
    const source = readFileSync(file, "utf8");
    const specifiers = [...source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)].map(
      (m) => m[1] as string,
    );
    const modules = specifiers
      .filter((s) => s.startsWith("."))
      .map((s) => normalize(join(dirname(file), s.replace(/\.js$/, ".ts"))));
    graph.set(file, { packages: specifiers.filter((s) => !s.startsWith(".")), modules });
    pending.push(...modules);
  }
  return graph;
}

/** The first import circle found in `graph`, as the path around it, or `undefined`. */
function findCircle(graph: Map<string, Imports>): string[] | undefined {
  const done = new Set<string>();
  const visit = (file: string, path: string[]): string[] | undefined => {
    if (path.includes(file)) return [...path.slice(path.indexOf(file)), file];
    if (done.has(file)) return undefined;
    for (const next of graph.get(file)?.modules ?? []) {
      const circle = visit(next, [...path, file]);
      if (circle !== undefined) return circle;
    }
    done.add(file);
    return undefined;
  };
  for (const file of graph.keys()) {
    const circle = visit(file, []);
    if (circle !== undefined) return circle;
  }
  return undefined;
}

const settingsModules = readdirSync("stacks/settings")
  .filter((name) => name.endsWith(".ts"))
  .map((name) => `stacks/settings/${name}`);

describe("the settings modules the CLI imports", () => {
  for (const entry of settingsModules) {
    it(`${entry} loads no cdktf, constructs or provider code`, () => {
      const graph = importGraph([entry]);
      for (const [file, { packages }] of graph) {
        expect(
          packages.filter((p) => /^(cdktf|constructs|@cdktf\/)/.test(p)),
          file,
        ).to.deep.equal([]);
      }
    });
  }

  it("import one another without a circle", () => {
    const graph = importGraph(settingsModules);
    expect(graph.size).to.be.greaterThan(settingsModules.length);
    expect(findCircle(graph)).to.equal(undefined);
  });

  it("a circle is found when there is one (the check itself can fail)", () => {
    const graph = new Map<string, Imports>([
      ["a.ts", { packages: [], modules: ["b.ts"] }],
      ["b.ts", { packages: [], modules: ["c.ts"] }],
      ["c.ts", { packages: [], modules: ["a.ts"] }],
    ]);
    expect(findCircle(graph)).to.deep.equal(["a.ts", "b.ts", "c.ts", "a.ts"]);
  });
});
