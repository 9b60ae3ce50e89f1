import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

/*
 * Runs the pure functions of a Python boot file (template/boot/*.py) under
 * python3, without boto3, Slurm or AWS: every call in one process, its
 * arguments and results as JSON.
 */

/** The python3 (or python) on PATH, or undefined. */
const python = ["python3", "python"].find(
  (name) => spawnSync(name, ["--version"]).error === undefined,
);

// The file's folder goes first on sys.path, as when python3 runs a boot file
// on a node, so that its imports of the modules beside it resolve.
const DRIVER = `
import importlib.machinery, importlib.util, json, os, sys
sys.path.insert(0, os.path.dirname(sys.argv[1]))
loader = importlib.machinery.SourceFileLoader("boot", sys.argv[1])
spec = importlib.util.spec_from_loader("boot", loader)
boot = importlib.util.module_from_spec(spec)
loader.exec_module(boot)
print(json.dumps([getattr(boot, c["call"])(*c["args"]) for c in json.load(sys.stdin)]))
`;

/** One call of a function of the boot file. */
export type Call = { call: string; args: unknown[] };

/** Each call's result, in order, from `template/boot/<file>`. */
export function callBootPython(file: string, calls: Call[]): unknown[] {
  if (python === undefined) throw new Error(`python3 is needed to test ${file}`);
  const path = fileURLToPath(new URL(`../../template/boot/${file}`, import.meta.url));
  const result = spawnSync(python, ["-B", "-c", DRIVER, path], {
    input: JSON.stringify(calls),
    encoding: "utf8",
  });
  expect(result.status, result.stderr).to.equal(0);
  return JSON.parse(result.stdout) as unknown[];
}

/**
 * Runs `template/boot/<file>` as a program through a symbolic link named
 * `link` in another folder, the way Slurm runs the node manager through
 * power/<event>: its exit status and standard error.
 */
export function runBootPythonLink(
  file: string,
  link: string,
  args: string[],
): { status: number | null; stderr: string } {
  if (python === undefined) throw new Error(`python3 is needed to run ${file}`);
  const folder = mkdtempSync(join(tmpdir(), "flightdeck-link-"));
  try {
    const path = join(folder, link);
    symlinkSync(fileURLToPath(new URL(`../../template/boot/${file}`, import.meta.url)), path);
    const result = spawnSync(python, ["-B", path, ...args], { encoding: "utf8" });
    return { status: result.status, stderr: result.stderr };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Skips a suite without python3, or fails it under CI, which must run it. */
export function requirePython(context: Mocha.Context, what: string): void {
  if (python !== undefined) return;
  if (process.env["CI"]) expect.fail(`python3 is not installed, and CI must test ${what}`);
  context.skip();
}
