import { resolve } from "node:path";
import { loadSettings, settingsPath as chosenSettings } from "../stacks/settings/settings.js";
import { terraform } from "./terraform-cli.js";
import { prepareStack, STACK_DIR } from "./terraform-stack.js";

/*
 * `npm run deploy [-- settings.json] [-- -auto-approve]`: build, synthesize,
 * `terraform init` and `terraform apply` with your AWS credentials.
 * Terraform shows the plan and asks before it changes anything.
 */

function main(): void {
  const args = process.argv.slice(2);
  const settingsPath = args.find((arg) => !arg.startsWith("-"));
  const applyFlags = args.filter((arg) => arg.startsWith("-"));
  const path = chosenSettings(settingsPath, process.env);
  if (loadSettings(path).accountId === undefined) {
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
  terraform(["apply", "-input=true", ...applyFlags], {
    cwd: resolve(STACK_DIR),
    session,
    inherit: true,
  });
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
