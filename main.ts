import { existsSync } from "node:fs";
import { App } from "cdktf";
import { loadClusterTemplate } from "./stacks/deployment/cluster-template.js";
import { FlightDeckStack } from "./stacks/flightdeck-stack.js";
import { loadSettings, settingsPath } from "./stacks/settings/settings.js";

/*
 * Synthesizes FlightDeck: `tsx main.ts [settings.json]` (or FD_SETTINGS)
 * writes cdktf.out/stacks/flightdeck/. The zipped bundles must exist first
 * (`npm run build`), because the Lambdas are deployed from them.
 */

/** Where build.mjs puts the handler bundles and their zips. */
const BUNDLES_DIR = "dist/functions";

function main(): void {
  const settings = loadSettings(settingsPath(process.argv[2], process.env));
  for (const handler of ["cf-create", "cf-delete"]) {
    if (!existsSync(`${BUNDLES_DIR}/${handler}.zip`)) {
      throw new Error(`${BUNDLES_DIR}/${handler}.zip is missing: run "npm run build" first.`);
    }
  }
  const app = new App();
  new FlightDeckStack(app, "flightdeck", {
    settings,
    template: loadClusterTemplate(settings.template),
    customizerScriptsDir: settings.customizer.scripts,
    bundlesDir: BUNDLES_DIR,
  });
  app.synth();
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
