import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListTablesCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListBucketsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { terraform, terraformSession } from "../../scripts/terraform-cli.js";
import type { PlanJson } from "../../scripts/terraform-plan.js";
import { SSH_KEY } from "../support/settings-decoding.js";
import { motoCommand, startMoto, type MotoServer } from "./support/moto-server.js";
import { writeMotoOverride } from "./support/moto-override.js";
import { npmRun, type NpmRun } from "./support/npm-run.js";
import { PROJECT_ROOT } from "../support/run-cli.js";

/*
 * Apply, not only plan: the example deployment applied to moto (an AWS
 * emulator) with `npm run deploy`, re-planned with `npm run plan` (no
 * changes), changed as an admin would and applied again (nothing that holds
 * data replaced or destroyed), then torn down with `npm run destroy`. The
 * only difference from a real account is the provider override
 * (support/moto-override.ts), which names each moto gap it works around.
 */

const REGION = "eu-west-2";
/** The resources that hold data: a change may never replace or destroy them. */
const STATEFUL = ["aws_s3_bucket", "aws_dynamodb_table", "aws_efs_file_system"];

interface SettingsJson {
  readonly limits: Record<string, unknown>;
  readonly users: unknown[];
  readonly [key: string]: unknown;
}

const exampleSettings = (): SettingsJson => ({
  ...(JSON.parse(
    readFileSync(join(PROJECT_ROOT, "settings/example.json"), "utf8"),
  ) as SettingsJson),
  // moto's account: the provider checks it against allowed_account_ids.
  accountId: "123456789012",
});

/** The admin's change: a new user, a raised limit, notifications switched on. */
function changedSettings(): Record<string, unknown> {
  const settings = exampleSettings();
  return {
    ...settings,
    users: [...settings.users, { id: "carol", sshPublicKey: SSH_KEY, email: "carol@hpc.test" }],
    limits: { ...settings.limits, maxComputeNodes: 48 },
    notifications: { senderEmail: "flightdeck@hpc.test", adminEmail: "admin@hpc.test" },
  };
}

function expectSuccess(run: NpmRun, what: string): void {
  expect(run.code, `${what} failed:\n${run.output.slice(-6000)}`).to.equal(0);
}

describe("a deployment applied to moto, changed and destroyed", function () {
  this.timeout(30 * 60_000);
  let moto: MotoServer | undefined;
  let dir = "";
  let out = "";
  let stackDir = "";
  let settingsFile = "";
  let env: NodeJS.ProcessEnv = {};
  const figures: string[] = [];

  /** Synthesizes `settings` as deploy will, then points the stack at moto. */
  function prepare(settings: object): void {
    writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
    const synth = spawnSync(process.execPath, ["--import", "tsx", "main.ts", settingsFile], {
      cwd: PROJECT_ROOT,
      env,
      encoding: "utf8",
    });
    expect(synth.status, synth.stderr).to.equal(0);
    writeMotoOverride(stackDir, (moto as MotoServer).url);
  }

  const planOf = (file: string) =>
    JSON.parse(
      terraform(["show", "-json", file], { cwd: stackDir, session: terraformSession(out, env) }),
    ) as PlanJson;

  before(async function () {
    const command = motoCommand();
    if (command === undefined) {
      if (process.env["CI"] === "true") {
        throw new Error(
          "moto_server is not installed, and CI must apply the deployment: pip install 'moto[server]==5.2.1'.",
        );
      }
      console.log(
        "      (skipped: moto_server is not installed; pip install 'moto[server]==5.2.1')",
      );
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), "fd-moto-"));
    out = join(dir, "cdktf.out");
    stackDir = join(out, "stacks", "flightdeck");
    settingsFile = join(dir, "settings.json");
    moto = await startMoto(command, join(dir, "moto.log"));
    env = {
      PATH: process.env["PATH"],
      // No ~/.aws of the machine's: these are the only credentials.
      HOME: dir,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      // The SDK calls of npm run destroy (its check for live clusters) go to moto too.
      AWS_ENDPOINT_URL: moto.url,
      CDKTF_OUTDIR: out,
      CHECKPOINT_DISABLE: "1",
      ...(process.env["TF_PLUGIN_CACHE_DIR"] === undefined
        ? {}
        : { TF_PLUGIN_CACHE_DIR: process.env["TF_PLUGIN_CACHE_DIR"] }),
    };
    const build = spawnSync("npm", ["run", "--silent", "build"], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
    });
    expect(build.status, build.stderr).to.equal(0);
  });

  after(async () => {
    await moto?.stop();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
    for (const figure of figures) console.log(`      ${figure}`);
  });

  it("applies the example deployment with npm run deploy", async () => {
    prepare(exampleSettings());
    const run = await npmRun("deploy", [settingsFile, "-auto-approve"], env);
    expectSuccess(run, "npm run deploy");
    const created = (planOf("deploy.tfplan").resource_changes ?? []).filter((c) =>
      c.change.actions.includes("create"),
    ).length;
    expect(created).to.be.above(50);
    figures.push(`npm run deploy, first apply (${created} resources): ${run.seconds.toFixed(1)} s`);
  });

  it("re-plans with npm run plan and finds nothing to change", async () => {
    const run = await npmRun("plan", [settingsFile], env);
    expectSuccess(run, "npm run plan");
    const plan = JSON.parse(readFileSync(join(stackDir, "plan.json"), "utf8")) as PlanJson;
    const changed = (plan.resource_changes ?? []).filter(
      (c) => !c.change.actions.every((action) => action === "no-op" || action === "read"),
    );
    expect(changed.map((c) => `${c.address}: ${c.change.actions.join(",")}`)).to.deep.equal([]);
    expect(run.output).to.include("Resources to create or change: 0");
    // The example sets neither alarmEmail nor notifications.
    expect(run.output).to.include("Warning: The deployment's alarms email nobody");
    expect(run.output).to.include("Warning: Notifications are off");
    expect(run.output).to.include(`cd ${stackDir} && terraform output`);
  });

  it("applies an admin's change without replacing or destroying anything that holds data", async () => {
    prepare(changedSettings());
    const run = await npmRun("deploy", [settingsFile, "-auto-approve"], env);
    expectSuccess(run, "npm run deploy (the change)");
    const changes = planOf("deploy.tfplan").resource_changes ?? [];
    const lost = changes.filter(
      (c) => STATEFUL.includes(c.type) && c.change.actions.includes("delete"),
    );
    expect(lost.map((c) => c.address)).to.deep.equal([]);
    const made = changes.filter((c) => c.change.actions.includes("create")).map((c) => c.type);
    expect(made).to.include.members([
      "aws_efs_file_system",
      "aws_ses_email_identity",
      "aws_sns_topic_subscription",
    ]);
    figures.push(`npm run deploy, the admin's change: ${run.seconds.toFixed(1)} s`);
  });

  it("refuses to destroy without the flags, and says which", async () => {
    const run = await npmRun("destroy", [settingsFile, "-auto-approve"], env);
    expect(run.code).to.equal(1);
    expect(run.output).to.include("--delete-registry").and.to.include("--delete-homes");
    expect(run.output).to.include("alice, bob, carol");
    const state = terraform(["state", "list"], {
      cwd: stackDir,
      session: terraformSession(out, env),
    });
    expect(state).to.include("aws_dynamodb_table.");
  });

  it("tears everything down with npm run destroy and both flags, users' files included", async () => {
    const outputs = spawnSync("terraform", ["output", "-raw", "user_bucket"], {
      cwd: stackDir,
      env,
      encoding: "utf8",
    });
    expect(outputs.status, outputs.stderr).to.equal(0);
    const clientConfig = {
      region: REGION,
      endpoint: (moto as MotoServer).url,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    };
    const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
    await s3.send(
      new PutObjectCommand({ Bucket: outputs.stdout, Key: "home/alice/results.txt", Body: "42" }),
    );

    const run = await npmRun(
      "destroy",
      [settingsFile, "--delete-registry", "--delete-homes", "-auto-approve"],
      env,
    );
    expectSuccess(run, "npm run destroy");
    figures.push(`npm run destroy: ${run.seconds.toFixed(1)} s`);
    const state = terraform(["state", "list"], {
      cwd: stackDir,
      session: terraformSession(out, env),
    });
    expect(state.trim()).to.equal("");
    expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).to.deep.equal([]);
    const dynamodb = new DynamoDBClient(clientConfig);
    expect((await dynamodb.send(new ListTablesCommand({}))).TableNames).to.deep.equal([]);
    s3.destroy();
    dynamodb.destroy();
  });
});
