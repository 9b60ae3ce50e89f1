import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { planVariables, terraform } from "./terraform-cli.js";
import { DEFAULT_LIMITS } from "../stacks/settings/settings-shape.js";
import { settingsPath } from "../stacks/settings/settings.js";
import { loadCheckedSettings } from "../stacks/settings/template-checks.js";
import { outputsHint, planWarnings } from "./plan-warnings.js";
import { limitsSummary, planSummary, type PlanJson } from "./terraform-plan.js";
import { prepareStack, STACK_DIR } from "./terraform-stack.js";

/*
 * `npm run plan [-- settings.json]`: check the settings against their
 * template, build, synthesize, then `terraform init` and `plan` the stack,
 * with no AWS account needed (fake credentials and the providers' skip flags
 * when none are configured). Writes the plan as JSON to
 * <STACK_DIR>/plan.json and prints a summary, the limits in force and what
 * the settings leave out.
 */

/** The limits FlightDeck's defaults supply: those the settings file (already decoded) leaves out. */
function defaultedLimits(path: string): Set<string> {
  const file = JSON.parse(readFileSync(path, "utf8")) as { limits?: Record<string, unknown> };
  return new Set(
    Object.keys(DEFAULT_LIMITS).filter((name) => !Object.hasOwn(file.limits ?? {}, name)),
  );
}

function main(): void {
  const path = settingsPath(process.argv[2], process.env);
  const { settings } = loadCheckedSettings(path);
  const session = prepareStack(process.argv[2]);
  const cwd = resolve(STACK_DIR);
  terraform(["plan", "-input=false", "-no-color", "-out=plan.tfplan", ...planVariables(session)], {
    cwd,
    session,
  });
  const json = terraform(["show", "-json", "plan.tfplan"], { cwd, session });
  writeFileSync(join(cwd, "plan.json"), json);
  console.log(
    `\nPlanned ${session.offline ? "offline (no AWS account: fake credentials, skip flags)" : "with your AWS credentials"}.`,
  );
  console.log(planSummary(JSON.parse(json) as PlanJson));
  console.log(limitsSummary(settings.limits, defaultedLimits(path)));
  for (const warning of planWarnings(settings)) console.log(`\nWarning: ${warning}`);
  console.log(`\nFull plan: ${join(STACK_DIR, "plan.json")}`);
  console.log(outputsHint(STACK_DIR));
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
