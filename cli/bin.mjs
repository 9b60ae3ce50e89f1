#!/usr/bin/env node
// `npx flightdeck`: runs the built command, dist/cli/flightdeck.mjs, which
// build.mjs writes (`npm ci` and `npm run build` both run it). This launcher
// is committed because dist/ is not, and says what to do when it is missing.
import module from "node:module";

// Node 22.1+ keeps compiled code between runs; older Nodes have no such cache.
module.enableCompileCache?.();

try {
  await import("../dist/cli/flightdeck.mjs");
} catch (error) {
  const missing =
    error?.code === "ERR_MODULE_NOT_FOUND" && error.url?.endsWith("/dist/cli/flightdeck.mjs");
  if (!missing) throw error;
  process.stderr.write(
    'flightdeck is not built: run "npm run build" (or "npm ci") in the FlightDeck folder.\n',
  );
  process.exitCode = 1;
}
