import { expect } from "chai";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CLI_PACKAGE, packageCli } from "../../scripts/package-cli.js";
import { NODE_ENGINES } from "../../scripts/tool-versions.js";

/*
 * A user gets our `flightdeck` on their PATH without a
 * clone and without the npm registry, whose `flightdeck` is another
 * package. The packed command is installed into a prefix of its own with
 * npm offline, from an empty cache and a registry that does not answer, so
 * everything it runs must be inside it; then it is run, by name, from a
 * folder outside the project.
 */

describe("npm run package:cli, installed as a user would", function () {
  this.timeout(120_000);
  let dir = "";
  let tarball = "";
  let prefix = "";
  let elsewhere = "";

  /** `flightdeck <args>` found on PATH, run in a folder outside the project. */
  const flightdeck = (...args: string[]): SpawnSyncReturns<string> =>
    spawnSync("flightdeck", args, {
      cwd: elsewhere,
      encoding: "utf8",
      // Only the prefix's bin and the folder of node: no project, no node_modules of ours.
      env: { PATH: `${join(prefix, "bin")}:${dirname(process.execPath)}`, HOME: dir },
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "fd-package-"));
    tarball = await packageCli(join(dir, "stage"), join(dir, "out"));
    prefix = join(dir, "prefix");
    elsewhere = join(dir, "elsewhere");
    mkdirSync(elsewhere);
    const install = spawnSync(
      "npm",
      ["install", "--global", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", tarball],
      {
        cwd: elsewhere,
        encoding: "utf8",
        env: {
          PATH: process.env["PATH"],
          HOME: dir,
          npm_config_cache: join(dir, "empty-cache"),
          // Nothing listens here: a package looked up by name would fail the install.
          npm_config_registry: "http://127.0.0.1:9/",
        },
      },
    );
    expect(install.status, `${install.stdout}\n${install.stderr}`).to.equal(0);
  });

  after(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("packs a package that is not named flightdeck, has no dependencies and states the supported Node.js", () => {
    expect(tarball).to.match(new RegExp(`${CLI_PACKAGE}-\\d+\\.\\d+\\.\\d+\\.tgz$`));
    const installed = JSON.parse(
      readFileSync(join(prefix, "lib", "node_modules", CLI_PACKAGE, "package.json"), "utf8"),
    ) as Record<string, unknown>;
    expect(installed["name"]).to.equal(CLI_PACKAGE);
    expect(installed).not.to.have.property("dependencies");
    expect(installed["engines"]).to.deep.equal({ node: NODE_ENGINES });
  });

  it("puts flightdeck on the PATH, which prints its version", () => {
    const version = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    const run = flightdeck("--version");
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.split("\n")[0]).to.equal(`flightdeck ${version.version}`);
  });

  it("validates a config in a folder outside the project, and refuses what cf-create would", () => {
    writeFileSync(join(elsewhere, "good.json"), JSON.stringify({ ComputeMaxNodes: 4 }));
    writeFileSync(join(elsewhere, "bad.json"), JSON.stringify({ ComputeInstanceType: "xlarge" }));
    const good = flightdeck("validate", "good.json");
    expect(good.status, good.stderr).to.equal(0);
    const bad = flightdeck("validate", "bad.json");
    expect(bad.status).to.not.equal(0);
    expect(`${bad.stdout}${bad.stderr}`).to.include("xlarge");
  });
});
