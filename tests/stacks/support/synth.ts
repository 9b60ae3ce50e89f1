import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing, type TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { loadClusterTemplate } from "../../../stacks/deployment/cluster-template.js";
import { FlightDeckStack } from "../../../stacks/flightdeck-stack.js";
import { arnScope } from "../../../stacks/iam/arns.js";
import type { Settings } from "../../../stacks/settings/settings-shape.js";
import { loadSettings } from "../../../stacks/settings/settings.js";

/** The fixtures every stack test builds from. */
const FIXTURES = "tests/fixtures/stacks";
export const FIXTURE_SETTINGS_PATH = `${FIXTURES}/settings.json`;
export const FIXTURE_TEMPLATE_PATH = `${FIXTURES}/cluster-template.json`;
export const FIXTURE_SCRIPTS_DIR = `${FIXTURES}/customizer-scripts/default`;
export const FIXTURE_BUNDLES_DIR = `${FIXTURES}/bundles`;

/** The fixture settings: account 123456789012, eu-west-2, SES in eu-west-1, users alice and bob. */
export function fixtureSettings(): Settings {
  return loadSettings(FIXTURE_SETTINGS_PATH);
}

/** The ARN scope of the fixture settings. */
export const FIXTURE_SCOPE = arnScope({ region: "eu-west-2", accountId: "123456789012" });

/**
 * Runs `fn` with TMPDIR pointed at a folder of its own, removed afterwards:
 * cdktf's Testing helpers leave `cdktf.outdir.*` folders in the temp dir.
 */
function inScratchTmp<T>(fn: () => T): T {
  const scratch = mkdtempSync(join(tmpdir(), "fd-synth-"));
  const saved = process.env["TMPDIR"];
  process.env["TMPDIR"] = scratch;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env["TMPDIR"];
    else process.env["TMPDIR"] = saved;
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `Testing.synthScope`, without the temp folders it leaves behind. */
export function synthScope(fn: (scope: Construct) => void): string {
  return inScratchTmp(() => Testing.synthScope(fn));
}

/** Synthesizes a whole stack built by `build` into JSON text (nothing is written). */
export function synthStack(build: (app: Construct) => TerraformStack): string {
  return inScratchTmp(() => Testing.synth(build(Testing.app())));
}

let fixtureStack: string | undefined;

/**
 * The whole FlightDeck stack from the fixtures, with optional changes to the
 * settings. The unchanged stack is synthesized once per test run.
 */
export function synthFlightDeck(change?: (settings: Settings) => Settings): string {
  if (change === undefined) return (fixtureStack ??= synthFlightDeck((s) => s));
  const settings = change(fixtureSettings());
  return synthStack((app) => flightDeckStackOf(app, settings));
}

/** FlightDeck's stack in `app`, from `settings`, with their template and the fixture bundles. */
export const flightDeckStackOf = (app: Construct, settings: Settings): FlightDeckStack =>
  new FlightDeckStack(app, "flightdeck", {
    settings,
    template: loadClusterTemplate(settings.template),
    customizerScriptsDir: settings.customizer.scripts,
    bundlesDir: FIXTURE_BUNDLES_DIR,
  });

/** The synthesized resources of one type, by logical id. */
export function resourcesOf(
  synthesized: string,
  type: string,
): Record<string, Record<string, unknown>> {
  const config = JSON.parse(synthesized) as {
    resource?: Record<string, Record<string, Record<string, unknown>>>;
  };
  return config.resource?.[type] ?? {};
}

/** The only resource of a type; fails when there is not exactly one. */
export function onlyResource(synthesized: string, type: string): Record<string, unknown> {
  const all = Object.values(resourcesOf(synthesized, type));
  if (all.length !== 1) throw new Error(`Expected one ${type}, found ${all.length}.`);
  return all[0] as Record<string, unknown>;
}

/** Undoes Terraform's template escaping, as Terraform itself does for literal strings. */
export function unescapeTerraform(text: string): string {
  return text.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}
