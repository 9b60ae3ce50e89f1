import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { fixtureJson } from "../support/fixtures.js";

/*
 * What a built bundle does at cold start, watched from outside: a fresh node
 * imports it, builds its clients, and lets a moment pass for anything it set
 * off in the background. A Lambda has no `~/.aws` files, so looking for them
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

  for (const name of ["cf-create", "cf-delete"]) {
    it(`${name} opens no file outside its own package (no ~/.aws lookups)`, () => {
      const bundle = path.resolve("dist", "functions", name, "index.mjs");
      const run = spawnSync(
        process.execPath,
        [
          "--import",
          pathToFileURL(path.join(home, "watch-files.mjs")).href,
          "--input-type=module",
          "-e",
          `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)});
           if (typeof m.handler !== "function") throw new Error("no handler");
           await new Promise((resolve) => setTimeout(resolve, 300));`,
        ],
        { env: { PATH: process.env["PATH"], HOME: home, ...ENVIRONMENT }, encoding: "utf8" },
      );
      expect(run.status, run.stderr).to.equal(0);
      const opened = JSON.parse(run.stdout) as string[];
      const packageFolder = path.dirname(bundle);
      const outside = opened
        .map((file) => (file.startsWith("file:") ? new URL(file).pathname : file))
        .filter((file) => !file.startsWith(packageFolder + path.sep));
      expect(outside).to.deep.equal([]);
    });
  }
});
