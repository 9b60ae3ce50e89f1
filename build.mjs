// Builds everything that ships, with esbuild:
//
// - each Lambda handler into dist/functions/<name>/index.mjs, and that folder
//   into dist/functions/<name>.zip, the package the stack deploys;
// - the `flightdeck` command into dist/cli/flightdeck.mjs (cli/bin.mjs runs it).
//
// `node build.mjs` builds both; `node build.mjs cli` only the command (the
// `prepare` script, so `npm ci` leaves a working `npx flightdeck`).
//
// - ESM with code splitting, so what a run does not need sits in its own
//   chunk and is never loaded: the SES client in the Lambdas (needed only when
//   an email is sent); the AWS SDK and `render` in the command.
// - `mainFields: ["module", "main"]` picks the SDK's ES-module builds, which
//   tree-shake far better than its CommonJS ones.
// - The AWS SDK is bundled, not taken from the Lambda runtime, so the
//   versions in package-lock.json are the ones that run.
// - Target node20: the code runs on the nodejs22.x runtime and loads in the
//   Node 20 the tests run on.
// - Two substitutions keep the Lambda packages small (see lambdaOnly below),
//   and the SDK's schema modules are rewritten so that only the schemas of
//   the operations a build calls are kept (see inlineSchemaKeys).
import { build } from "esbuild";
import { zipSync } from "fflate";
import { readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const FUNCTIONS = ["cf-create", "cf-delete"];
const root = path.dirname(fileURLToPath(import.meta.url));
export const DIST = path.join(root, "dist");

// The SDK calls require("node:https"); an ESM bundle needs a real require for that.
const banner =
  'import { createRequire as __fdCreateRequire } from "node:module"; const require = __fdCreateRequire(import.meta.url);';

/** What the Lambdas and the command are built with alike. */
const common = {
  // Paths (the fp-ts alias, the metafile's) are the project's, wherever the build is run from.
  absWorkingDir: root,
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
  logLevel: "warning",
};

/**
 * Swaps out code a Lambda never runs: the SDK's full credential chain (Lambda
 * always supplies credentials in the environment) and bowser, which the SDK
 * only uses to parse a browser's user agent.
 */
export const lambdaOnly = {
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

/**
 * The AWS SDK's generated schema modules (`dist-es/schemas/schemas_0.js` of
 * each client) describe every operation of the service. They write trait
 * keys as computed keys of string constants (`{ [_xN]: _K }`, where
 * `const _xN = "xmlName"`), and esbuild cannot prove such an object free of
 * side effects, so it keeps every schema, used or not: 51 KB of minified
 * code (mostly S3's) that each Lambda's cold start parses and runs. This
 * returns the same module with each such key written as the string it
 * names, so esbuild can drop the schemas nothing uses.
 *
 * It only rewrites a module where that cannot change the meaning: one whose
 * only bindings are its top-level declarations (outside strings, no
 * `function`, `class`, `let`, `catch` or arrow with parameters, so no name
 * can be shadowed), each declared once. Anything else, or a module with no
 * key to inline (the SDK's layout has changed), is refused with an error, so
 * the build fails rather than silently shipping every schema again.
 */
export function inlineSchemaKeys(source, file = "a schema module") {
  const refuse = (why) => {
    throw new Error(`${file}: ${why}; its schema keys were not inlined`);
  };
  const code = source.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`/g, '""');
  const binding = code.match(/\b(?:function|class|let|catch)\b|(?:\(\s*[\w$]|[\w$]\s*)\)?\s*=>/);
  if (binding !== null) refuse(`it binds names other than at the top level ("${binding[0]}")`);
  const declared = new Map();
  for (const [, name] of code.matchAll(/^(?:export )?(?:const|var) ([\w$]+) =/gm)) {
    if (declared.has(name)) refuse(`${name} is declared twice`);
    declared.set(name, true);
  }
  const constants = new Map();
  for (const [, name, literal] of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) {
    constants.set(name, literal);
  }
  const keys = /\[(_\w+)\]:/g;
  if (source.match(keys)?.length !== code.match(keys)?.length)
    refuse("a string holds a computed key");
  let inlined = 0;
  const result = source.replace(keys, (key, name) => {
    const literal = constants.get(name);
    if (literal === undefined) return key;
    inlined += 1;
    return `${literal}:`;
  });
  if (inlined === 0)
    refuse("it has no computed key of a string constant (has the SDK's layout changed?)");
  return result;
}

/** {@link inlineSchemaKeys} on every SDK client's schema modules. */
export const sdkSchemaKeys = {
  name: "sdk-schema-keys",
  setup(pluginBuild) {
    pluginBuild.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[\w-]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ },
      async (args) => ({
        contents: inlineSchemaKeys(await readFile(args.path, "utf8"), args.path),
        loader: "js",
      }),
    );
  },
};

/** The files under `dir`, as sorted `/`-separated paths relative to it. */
async function filesUnder(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) =>
      path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"),
    )
    .sort();
}

/**
 * MS-DOS time stamps are local time, and 1980-01-01 00:00 is the earliest a
 * zip can say: built from local parts, it is the same bytes in every time zone.
 */
const ZIP_TIME = new Date(1980, 0, 1, 0, 0, 0);
/** A regular file, rw-r--r--, in the high half of a zip's external attributes. */
const REGULAR_FILE_644 = (0o100644 << 16) >>> 0;
const UNIX = 3;

/**
 * The zip of every file under `dir`, in sorted order, with a fixed time and
 * mode: the same bundle always gives the same bytes, so an unchanged rebuild
 * is no redeploy.
 */
export async function zipBundle(dir) {
  const files = {};
  for (const file of await filesUnder(dir)) {
    files[file] = [
      new Uint8Array(await readFile(path.join(dir, file))),
      { level: 9, mtime: ZIP_TIME, attrs: REGULAR_FILE_644, os: UNIX },
    ];
  }
  return zipSync(files);
}

/** Writes a file whole or not at all, so a concurrent reader never sees half of it. */
async function writeWhole(file, bytes) {
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, bytes);
  await rename(partial, file);
}

/**
 * Builds one function into `<outRoot>/functions/<name>/` and zips it into
 * `<outRoot>/functions/<name>.zip`; returns the esbuild metafile.
 */
export async function buildFunction(name, outRoot = DIST) {
  const outdir = path.join(outRoot, "functions", name);
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    ...common,
    entryPoints: { index: path.join(root, "functions", name, "index.ts") },
    outdir,
    plugins: [lambdaOnly, sdkSchemaKeys],
  });
  await writeWhole(`${outdir}.zip`, await zipBundle(outdir));
  return result.metafile;
}

/**
 * Builds the `flightdeck` command into `<outRoot>/cli/flightdeck.mjs` and its
 * chunks, with the esbuild metafile beside them as `metafile.json` (the tests
 * read which chunk holds what); returns the metafile. cdktf and the provider
 * stay outside the bundle: nothing the command runs should need them, and if
 * render's imports still reach them, they load from node_modules, and only
 * for render.
 */
export async function buildCli(outRoot = DIST) {
  const outdir = path.join(outRoot, "cli");
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    ...common,
    entryPoints: { flightdeck: path.join(root, "cli", "main.ts") },
    outdir,
    external: ["cdktf", "constructs", "@cdktf/*"],
    plugins: [sdkSchemaKeys],
  });
  await writeFile(path.join(outdir, "metafile.json"), JSON.stringify(result.metafile));
  return result.metafile;
}

/** Prints the JavaScript a build wrote under `dir`, and its size. */
async function report(title, metafile, dir) {
  let total = 0;
  const lines = [];
  for (const file of Object.keys(metafile.outputs)
    .filter((f) => f.endsWith(".mjs"))
    .sort()) {
    const { size } = await stat(path.join(root, file));
    total += size;
    lines.push(
      `  ${path.relative(dir, path.join(root, file)).padEnd(40)} ${(size / 1024).toFixed(1).padStart(8)} KB`,
    );
  }
  console.log(`${title}: ${(total / 1024).toFixed(1)} KB of JavaScript`);
  for (const line of lines) console.log(line);
}

// Run as a script (not imported by the benchmarks and tests): build and report.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const only = process.argv[2];
  if (only !== undefined && only !== "cli") {
    console.error(`usage: node build.mjs [cli]`);
    process.exit(2);
  }
  if (only === undefined) {
    for (const name of FUNCTIONS) {
      const metafile = await buildFunction(name);
      await report(name, metafile, path.join(DIST, "functions", name));
      const { size } = await stat(path.join(DIST, "functions", `${name}.zip`));
      console.log(
        `  ${`../${name}.zip`.padEnd(40)} ${(size / 1024).toFixed(1).padStart(8)} KB zipped, maps included`,
      );
    }
  }
  await report("flightdeck (the command)", await buildCli(), path.join(DIST, "cli"));
}
