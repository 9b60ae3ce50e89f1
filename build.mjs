// Bundles each Lambda handler with esbuild into dist/functions/<name>/index.mjs.
//
// - ESM with code splitting, so the SES client (needed only when an email is
//   sent) sits in its own chunk and is not loaded at cold start.
// - `mainFields: ["module", "main"]` picks the SDK's ES-module builds, which
//   tree-shake far better than its CommonJS ones.
// - The AWS SDK is bundled, not taken from the Lambda runtime, so the
//   versions in package-lock.json are the ones that run.
// - Target node20: the code runs on the nodejs22.x runtime and loads in the
//   Node 20 the tests run on.
// - Two substitutions keep the package small (see lambdaOnly below).
import { build } from "esbuild";
import { rm, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const FUNCTIONS = ["cf-create", "cf-delete"];
const root = path.dirname(fileURLToPath(import.meta.url));
const outRoot = path.join(root, "dist", "functions");

// The SDK calls require("node:https"); an ESM bundle needs a real require for that.
const banner =
  'import { createRequire as __fdCreateRequire } from "node:module"; const require = __fdCreateRequire(import.meta.url);';

/**
 * Swaps out code a Lambda never runs: the SDK's full credential chain (Lambda
 * always supplies credentials in the environment) and bowser, which the SDK
 * only uses to parse a browser's user agent.
 */
const lambdaOnly = {
  name: "lambda-only",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: path.join(root, "functions", "shared", "runtime", "lambda-credentials.ts"),
    }));
    pluginBuild.onResolve({ filter: /^bowser$/ }, () => ({
      path: "bowser",
      namespace: "lambda-only",
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: "lambda-only" }, () => ({
      contents: "export default {};",
    }));
  },
};

/** Builds one function and returns its esbuild metafile. */
export async function buildFunction(name) {
  const outdir = path.join(outRoot, name);
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { index: path.join(root, "functions", name, "index.ts") },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    mainFields: ["module", "main"],
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    minify: true,
    sourcemap: true,
    metafile: true,
    legalComments: "none",
    banner: { js: banner },
    // io-ts's ES build uses fp-ts's ES build; point our own imports there too, so fp-ts ships once.
    alias: { "fp-ts/lib": "fp-ts/es6" },
    plugins: [lambdaOnly],
    logLevel: "warning",
  });
  return result.metafile;
}

/** Prints each output file of a build and its size. */
async function report(name, metafile) {
  let total = 0;
  const lines = [];
  for (const file of Object.keys(metafile.outputs)
    .filter((f) => f.endsWith(".mjs"))
    .sort()) {
    const { size } = await stat(path.join(root, file));
    total += size;
    lines.push(
      `  ${path.relative(path.join(outRoot, name), path.join(root, file)).padEnd(40)} ${(size / 1024).toFixed(1).padStart(8)} KB`,
    );
  }
  console.log(`${name}: ${(total / 1024).toFixed(1)} KB of JavaScript`);
  for (const line of lines) console.log(line);
}

// Run as a script (not imported by the benchmark): build both and report.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const name of FUNCTIONS) {
    await report(name, await buildFunction(name));
  }
}
