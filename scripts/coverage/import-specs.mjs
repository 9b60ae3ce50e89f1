// Mocha's --require under `npm test` (docs/development.md, "Coverage"): loads each spec file with
// import() rather than require(). Under Node's require(esm), mocha require()s the specs, so tsx
// compiles them and what they import statically to CommonJS, while every dynamic import() loads
// the same sources again as ES modules: two copies of one file under one URL, and Node keeps one
// source map per URL, so c8 would map the other copy's coverage onto the wrong lines. Loaded as
// ES modules throughout, each source is compiled once.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const esmUtils = require(join(dirname(require.resolve("mocha")), "lib", "nodejs", "esm-utils.cjs"));
esmUtils.requireOrImport = async (file) => import(pathToFileURL(file).href);
