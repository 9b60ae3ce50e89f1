import { resolve } from "node:path";
import { settingsPath as chosenSettings } from "../stacks/settings/settings.js";
import { loadCheckedSettings } from "../stacks/settings/template-checks.js";
import { confirmed } from "./confirm.js";
import { homeGuardProblems } from "./home-guard.js";
import { planWarnings } from "./plan-warnings.js";
import { terraform } from "./terraform-cli.js";
import type { PlanJson } from "./terraform-plan.js";
import { prepareStack, STACK_DIR } from "./terraform-stack.js";

/*
 * `npm run deploy [-- settings.json] [-- -auto-approve] [-- <terraform plan flags>]`:
 * build, synthesize, `terraform init`, then plan with your AWS credentials,
 * refuse a plan that would destroy a user's home (home-guard.ts), show the
 * plan and ask before applying exactly it. A teardown is `npm run destroy`.
 */

const PLAN_FILE = "deploy.tfplan";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const settingsPath = args.find((arg) => !arg.startsWith("-"));
  const autoApprove = args.includes("-auto-approve");
  const planFlags = args.filter((arg) => arg.startsWith("-") && arg !== "-auto-approve");
  if (planFlags.includes("-destroy")) {
    throw new Error(
      "To tear the deployment down, run npm run destroy: it says what a teardown deletes and which flags allow it.",
    );
  }
  const path = chosenSettings(settingsPath, process.env);
  const { settings } = loadCheckedSettings(path);
  if (settings.accountId === undefined) {
    // Without it, ARNs carry "*" for the account, S3 calls cannot name the
    // expected bucket owner and the service role trusts CloudFormation acting
    // for any account: fine for an offline plan, not for a deployment.
    throw new Error(
      `${path} names no accountId: set it to the 12-digit id of the account to deploy into (npm run plan works without).`,
    );
  }
  const session = prepareStack(settingsPath);
  if (session.offline) {
    throw new Error(
      "No AWS credentials are configured (AWS_PROFILE, AWS_ACCESS_KEY_ID or ~/.aws). " +
        "Deploying needs real ones; `npm run plan` works without.",
    );
  }
  const cwd = resolve(STACK_DIR);
  terraform(["plan", "-input=false", `-out=${PLAN_FILE}`, ...planFlags], {
    cwd,
    session,
    inherit: true,
  });
  const plan = JSON.parse(terraform(["show", "-json", PLAN_FILE], { cwd, session })) as PlanJson;
  const problems = homeGuardProblems(plan, settings.homes.deletable);
  if (problems.length > 0)
    throw new Error(`Not deploying:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  for (const warning of planWarnings(settings)) console.log(`\nWarning: ${warning}`);
  if (!autoApprove && !(await confirmed("\nApply this plan? Only 'yes' applies it: ", "yes"))) {
    console.log("Nothing applied.");
    return;
  }
  terraform(["apply", "-input=false", PLAN_FILE], { cwd, session, inherit: true });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
