import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { fixtureJson } from "../support/fixtures.js";

/*
 * What a built bundle does at cold start, watched from outside: a fresh node
 * imports it, builds its clients, and exits once anything it set off in the
 * background has finished. A Lambda has no `~/.aws` files, so looking for them
 * is wasted cold-start time (the SDK does it to find its defaults mode unless
 * it is told the mode); here HOME holds both files, and the test fails if the
 * bundle opens either.
 */

/** Loaded before the bundle: records every path opened through `fs`, and prints them at exit. */
const WATCH_FILES = `
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
const opened = [];
for (const [api, names] of [[fs, ["readFile", "readFileSync", "open", "openSync"]], [fs.promises, ["readFile", "open"]]]) {
  for (const name of names) {
    const original = api[name];
    api[name] = function (file, ...rest) { opened.push(String(file)); return original.call(this, file, ...rest); };
  }
}
syncBuiltinESMExports();
process.on("exit", () => process.stdout.write(JSON.stringify(opened)));
`;

/** What a deployment gives both functions, enough for them to load (nothing is sent). */
const ENVIRONMENT = fixtureJson("handler-environment.json") as Record<string, string>;

describe("the built bundles at cold start", function () {
  this.timeout(30_000);
  let home: string;
  before(() => {
    home = mkdtempSync(path.join(tmpdir(), "fd-cold-home-"));
    mkdirSync(path.join(home, ".aws"));
    writeFileSync(path.join(home, ".aws", "config"), "[default]\ndefaults_mode = standard\n");
    writeFileSync(path.join(home, ".aws", "credentials"), "[default]\naws_access_key_id = x\n");
    writeFileSync(path.join(home, "watch-files.mjs"), WATCH_FILES);
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  /**
   * Every path a fresh node opens while it runs `script` and until its event
   * loop has nothing left to do: the watcher prints them at exit, which comes
   * only once every read the script set off in the background has finished.
   */
  const openedBy = (script: string): string[] => {
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        pathToFileURL(path.join(home, "watch-files.mjs")).href,
        "--input-type=module",
        "-e",
        script,
      ],
      { env: { PATH: process.env["PATH"], HOME: home, ...ENVIRONMENT }, encoding: "utf8" },
    );
    expect(run.status, run.stderr).to.equal(0);
    return (JSON.parse(run.stdout) as string[]).map((file) =>
      file.startsWith("file:") ? new URL(file).pathname : file,
    );
  };

  it("sees a file read in the background after the module has loaded (the watch works)", () => {
    const opened = openedBy(
      `import fs from "node:fs";
       setTimeout(() => void fs.promises.readFile(process.env.HOME + "/.aws/config"), 200);`,
    );
    expect(opened).to.include(path.join(home, ".aws", "config"));
  });

  for (const name of ["cf-create", "cf-delete"]) {
    it(`${name} opens no file outside its own package (no ~/.aws lookups)`, () => {
      const bundle = path.resolve("dist", "functions", name, "index.mjs");
      const opened = openedBy(
        `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)});
         if (typeof m.handler !== "function") throw new Error("no handler");`,
      );
      const packageFolder = path.dirname(bundle);
      expect(opened.filter((file) => !file.startsWith(packageFolder + path.sep))).to.deep.equal([]);
    });
  }
});
