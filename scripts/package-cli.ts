import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { buildCli } from "../build.mjs";
import { NODE_ENGINES } from "./tool-versions.js";

/*
 * `npm run package:cli`: the `flightdeck` command as one npm package file,
 * dist/flightdeck-cli-<version>.tgz, which a user installs without a clone:
 *
 *     npm install -g ./flightdeck-cli-0.1.0.tgz
 *
 * Why a packed tarball. The name `flightdeck` on the public npm registry is
 * somebody else's package, so `npx flightdeck` and `npm install -g
 * flightdeck` fetch the wrong thing. A tarball is installed from the file
 * (or a URL) the admin hands out, never looked up by name, and npm puts its
 * `flightdeck` on the PATH on every platform npm supports. The command is
 * one esbuild bundle with everything it runs (the AWS SDK, fp-ts, io-ts,
 * commander), so the package has no dependencies and installs offline; it
 * keeps the build's code splitting, which a single-file build would give up
 * (each command loads only the chunks it needs).
 */

/** The package's name: not `flightdeck`, which the public registry gives to another package. */
export const CLI_PACKAGE = "flightdeck-cli";

const README = `# flightdeck-cli

The \`flightdeck\` command of FlightDeck (self-service HPC clusters on AWS), built
with all it needs: it has no dependencies.

Install it from this file, not by name: the \`flightdeck\` package on the public
npm registry is an unrelated project.

    npm install -g ./flightdeck-cli-<version>.tgz
    flightdeck --version

To upgrade, install the newer file the same way.
`;

/** Builds the command into `stage` as a package, then packs it into `outDir`; returns the tarball's path. */
export async function packageCli(stage: string, outDir: string): Promise<string> {
  const root = JSON.parse(readFileSync("package.json", "utf8")) as {
    version: string;
    license: string;
    description: string;
  };
  rmSync(stage, { recursive: true, force: true });
  await buildCli(join(stage, "dist"));
  // What the package runs: the launcher, the bundle and its chunks; not the maps or the metafile.
  for (const file of readdirSync(join(stage, "dist", "cli"), { recursive: true })) {
    const name = String(file);
    if (name.endsWith(".map") || name === "metafile.json") rmSync(join(stage, "dist", "cli", name));
  }
  mkdirSync(join(stage, "cli"), { recursive: true });
  copyFileSync(join("cli", "bin.mjs"), join(stage, "cli", "bin.mjs"));
  writeFileSync(join(stage, "README.md"), README);
  const manifest = {
    name: CLI_PACKAGE,
    version: root.version,
    description: root.description,
    license: root.license,
    type: "module",
    bin: { flightdeck: "cli/bin.mjs" },
    engines: { node: NODE_ENGINES },
    files: ["cli/bin.mjs", "dist/cli/"],
  };
  writeFileSync(join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  mkdirSync(outDir, { recursive: true });
  const packed = spawnSync("npm", ["pack", "--json", "--pack-destination", resolve(outDir)], {
    cwd: stage,
    encoding: "utf8",
  });
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [result] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
  if (result === undefined) throw new Error("npm pack wrote no package.");
  return join(outDir, result.filename);
}

// Run as a script (the tests import packageCli instead).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  packageCli(join("dist", "package"), "dist")
    .then((tarball) => console.log(`${tarball}\nInstall it with: npm install -g ./${tarball}`))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    });
}
