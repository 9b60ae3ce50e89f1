import { expect } from "chai";
import { App } from "cdktf";
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { planVariables, terraform, terraformSession } from "../../../scripts/terraform-cli.js";
import type { PlanJson } from "../../../scripts/terraform-plan.js";
import type { Settings } from "../../../stacks/settings/settings-shape.js";
import { flightDeckStackOf } from "./synth.js";

/*
 * FlightDeck synthesized by CDKTF and planned by the real terraform, with
 * no AWS account (the provider's offline mode): what the plan tests read.
 */

/** A planned resource: its type, name and the values known before apply. */
export interface PlannedResource {
  readonly type: string;
  readonly address: string;
  readonly values: Record<string, unknown>;
}

/** Without real credentials, so the offline path is the one tested wherever this runs. */
function offlineEnvironment(home: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")),
  );
  return { ...env, HOME: home };
}

/** A stack synthesized and planned in `dir`: its planned resources, the plan, and the folder it ran in. */
export interface PlannedStack {
  readonly cwd: string;
  readonly resources: PlannedResource[];
  readonly plan: PlanJson;
}

/**
 * Synthesizes FlightDeck from `settings` into `dir/<name>` and plans it with
 * no AWS account. `initialized`, a stack folder already `terraform init`-ed
 * with the same providers, lends its `.terraform` so init is not run again.
 */
export function planStack(
  dir: string,
  name: string,
  settings: Settings,
  initialized?: string,
  state?: object,
): PlannedStack {
  const app = new App({ outdir: join(dir, name) });
  flightDeckStackOf(app, settings);
  app.synth();
  const cwd = join(dir, name, "stacks", "flightdeck");
  if (state !== undefined)
    writeFileSync(join(dir, "terraform.flightdeck.tfstate"), JSON.stringify(state));
  const session = terraformSession(dir, offlineEnvironment(dir));
  expect(session.offline).to.equal(true);
  if (initialized === undefined) {
    terraform(["init", "-input=false", "-no-color"], { cwd, session });
    terraform(["validate", "-no-color"], { cwd, session });
  } else {
    cpSync(join(initialized, ".terraform"), join(cwd, ".terraform"), { recursive: true });
    cpSync(join(initialized, ".terraform.lock.hcl"), join(cwd, ".terraform.lock.hcl"));
  }
  terraform(
    [
      "plan",
      "-input=false",
      "-no-color",
      "-refresh=false",
      "-out=plan.tfplan",
      ...planVariables(session),
    ],
    { cwd, session },
  );
  const plan = JSON.parse(
    terraform(["show", "-json", "plan.tfplan"], { cwd, session }),
  ) as PlanJson & {
    planned_values: { root_module: { resources: PlannedResource[] } };
  };
  return { cwd, resources: plan.planned_values.root_module.resources, plan };
}
