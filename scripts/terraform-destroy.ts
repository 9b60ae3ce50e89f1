import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Settings } from "../stacks/settings/settings-shape.js";
import { loadSettings, settingsPath as chosenSettings } from "../stacks/settings/settings.js";
import { confirmed } from "./confirm.js";
import {
  DESTROY_FLAGS,
  DESTROY_OVERRIDE,
  destroyOverride,
  destroyRefusals,
  keptData,
  protectionTargets,
  type DestroyFlags,
  type KeptData,
  type SynthesizedStack,
} from "./destroy-guard.js";
import { liveClusterStacks } from "./live-clusters.js";
import { terraform, type TerraformSession } from "./terraform-cli.js";
import { planSummary, type PlanJson } from "./terraform-plan.js";
import { prepareStack, STACK_DIR } from "./terraform-stack.js";

/*
 * `npm run destroy [-- settings.json] [-- --delete-registry] [-- --delete-homes] [-- -auto-approve]`:
 * tears the deployment down with `terraform destroy` of the synthesized
 * stack. It refuses while the deployment still has clusters, and unless
 * a flag allows each kind of data it would delete (destroy-guard.ts); with
 * them, it lifts the registry's deletion protection and the homes'
 * `prevent_destroy` for the teardown alone, shows what goes, and asks.
 */

// The SDK's notice that its 2027 releases need Node 22 is for whoever pins its version (us), not for admins.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

const PLAN_FILE = "destroy.tfplan";
const KNOWN = new Set([DESTROY_FLAGS.registry, DESTROY_FLAGS.homes, "-auto-approve"]);

function parseArgs(args: readonly string[]) {
  const unknown = args.filter((arg) => arg.startsWith("-") && !KNOWN.has(arg));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown option ${unknown.join(", ")}. Usage: npm run destroy -- [settings.json] [${DESTROY_FLAGS.registry}] [${DESTROY_FLAGS.homes}] [-auto-approve]`,
    );
  }
  return {
    settingsPath: args.find((arg) => !arg.startsWith("-")),
    flags: {
      deleteRegistry: args.includes(DESTROY_FLAGS.registry),
      deleteHomes: args.includes(DESTROY_FLAGS.homes),
    },
    autoApprove: args.includes("-auto-approve"),
  };
}

/** The addresses the state holds; none when nothing was ever applied. */
function stateAddresses(cwd: string, session: TerraformSession): string[] {
  const listed = terraform(["state", "list"], { cwd, session });
  return listed.split("\n").filter((line) => line.trim() !== "");
}

/** Refuses a teardown a flag does not allow, or while the deployment still has clusters. */
async function refuseUnlessClear(
  settings: Settings,
  kept: KeptData,
  flags: DestroyFlags,
): Promise<void> {
  const refusals = destroyRefusals(kept, flags);
  if (refusals.length > 0) {
    throw new Error(
      `Not destroying deployment ${settings.name}:\n${refusals.map((r) => `  - ${r}`).join("\n")}`,
    );
  }
  const clusters = await liveClusterStacks(settings.region, settings.name);
  if (clusters.length > 0) {
    throw new Error(
      `Not destroying deployment ${settings.name}: it still has ${clusters.length} cluster stack(s): ${clusters.join(", ")}. ` +
        "Delete them first (each user's flightdeck delete, or aws cloudformation delete-stack), wait for DELETE_COMPLETE, and run npm run destroy again.",
    );
  }
}

/** With the protections lifted by the override: shows what goes, asks, writes the lifted protections, destroys. */
async function tearDown(
  cwd: string,
  session: TerraformSession,
  kept: KeptData,
  name: string,
  autoApprove: boolean,
): Promise<void> {
  terraform(["plan", "-destroy", "-input=false", `-out=${PLAN_FILE}`], {
    cwd,
    session,
    inherit: true,
  });
  const plan = JSON.parse(terraform(["show", "-json", PLAN_FILE], { cwd, session })) as PlanJson;
  console.log(`\n${planSummary(plan).replace("to create or change", "to destroy")}`);
  const question = `\nDestroy deployment ${name} and everything above? Type its name to go ahead: `;
  if (!autoApprove && !(await confirmed(question, name))) {
    console.log("Nothing destroyed.");
    return;
  }
  const targets = protectionTargets(kept, stateAddresses(cwd, session));
  if (targets.length > 0) {
    // Deletion protection and force_destroy act only once they are in the state.
    terraform(["apply", "-input=false", "-auto-approve", ...targets.map((t) => `-target=${t}`)], {
      cwd,
      session,
      inherit: true,
    });
  }
  terraform(["destroy", "-input=false", "-auto-approve"], { cwd, session, inherit: true });
  console.log(`\nDeployment ${name} is destroyed.`);
}

async function main(): Promise<void> {
  const { settingsPath, flags, autoApprove } = parseArgs(process.argv.slice(2));
  const path = chosenSettings(settingsPath, process.env);
  const settings = loadSettings(path);
  if (settings.accountId === undefined) {
    throw new Error(
      `${path} names no accountId: set it to the id of the account the deployment is in.`,
    );
  }
  const session = prepareStack(settingsPath, { build: "if-missing" });
  if (session.offline) {
    throw new Error(
      "No AWS credentials are configured (AWS_PROFILE, AWS_ACCESS_KEY_ID or ~/.aws); a teardown needs real ones.",
    );
  }
  const cwd = resolve(STACK_DIR);
  const stack = JSON.parse(readFileSync(join(cwd, "cdk.tf.json"), "utf8")) as SynthesizedStack;
  const kept = keptData(stack);
  await refuseUnlessClear(settings, kept, flags);
  const override = join(cwd, DESTROY_OVERRIDE);
  writeFileSync(override, `${JSON.stringify(destroyOverride(kept), null, 2)}\n`);
  try {
    await tearDown(cwd, session, kept, settings.name, autoApprove);
  } finally {
    rmSync(override, { force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
