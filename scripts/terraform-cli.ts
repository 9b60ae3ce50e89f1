import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { MIN_TERRAFORM, terraformVersionProblem } from "./tool-versions.js";

/*
 * Running plain terraform on the synthesized stack, the same way for
 * `npm run plan`, `npm run deploy`, the benchmark and the tests: a CLI
 * config of the project's own (the offline provider mirror when there is
 * one), no version check, and fake credentials when there are no real ones.
 */

/** Where an offline copy of the AWS provider may be installed. */
export const PROVIDER_MIRROR = "/opt/tf-plugins";

/** Why terraform could not be run at all. */
export class TerraformMissingError extends Error {
  constructor(options?: { cause?: unknown }) {
    super(
      `terraform is not installed or not on PATH. Install Terraform ${MIN_TERRAFORM.join(".")} or later ` +
        "(https://developer.hashicorp.com/terraform/install) and try again.",
      options,
    );
    this.name = "TerraformMissingError";
  }
}

/** A terraform command that ran and failed. */
export class TerraformCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly output: string,
  ) {
    super(`terraform ${args.join(" ")} failed:\n${output.trim()}`);
    this.name = "TerraformCommandError";
  }
}

/** The CLI config text: the mirror for the AWS provider when it exists, the registry otherwise. */
export function cliConfigText(mirror: string | undefined): string {
  if (mirror === undefined) return "provider_installation {\n  direct {}\n}\n";
  return [
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(mirror)}`,
    '    include = ["registry.terraform.io/hashicorp/aws"]',
    "  }",
    "  direct {",
    '    exclude = ["registry.terraform.io/hashicorp/aws"]',
    "  }",
    "}",
    "",
  ].join("\n");
}

/** Writes the project's CLI config into `dir` and returns its absolute path. */
export function writeCliConfig(dir: string): string {
  const path = resolve(dir, "terraform.rc");
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, cliConfigText(existsSync(PROVIDER_MIRROR) ? PROVIDER_MIRROR : undefined));
  return path;
}

/** Whether the environment or the usual files configure real AWS credentials. */
export function hasAwsCredentials(env: NodeJS.ProcessEnv): boolean {
  const variables = [
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  ];
  if (variables.some((name) => (env[name] ?? "") !== "")) return true;
  const aws = join(env["HOME"] ?? homedir(), ".aws");
  return existsSync(join(aws, "credentials")) || existsSync(join(aws, "config"));
}

/** How terraform will be run. */
export interface TerraformSession {
  readonly env: NodeJS.ProcessEnv;
  /** True when there are no credentials: plan with fake ones and `offline_plan=true`. */
  readonly offline: boolean;
}

/**
 * The environment for terraform: the project's CLI config, no checkpoint
 * calls, and, without real credentials, fake ones
 * (the providers' skip flags, set by `-var offline_plan=true`, keep them unused).
 */
export function terraformSession(
  configDir: string,
  base: NodeJS.ProcessEnv = process.env,
): TerraformSession {
  // FD_OFFLINE_PLAN=1 plans offline even where credentials (for some other account) exist.
  const offline = base["FD_OFFLINE_PLAN"] === "1" || !hasAwsCredentials(base);
  const env: NodeJS.ProcessEnv = {
    ...base,
    TF_CLI_CONFIG_FILE: writeCliConfig(configDir),
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
  };
  if (offline) {
    Object.assign(env, {
      AWS_ACCESS_KEY_ID: "AKIAFLIGHTDECKOFFLINE",
      AWS_SECRET_ACCESS_KEY: "flightdeck-offline-plan-not-a-secret",
      AWS_EC2_METADATA_DISABLED: "true",
    });
  }
  return { env, offline };
}

/** The `-var` arguments a plan needs in this session. */
export function planVariables(session: TerraformSession): string[] {
  return session.offline ? ["-var", "offline_plan=true"] : [];
}

/**
 * Runs terraform in `cwd`. Output is captured (and returned) unless `inherit`
 * is set, when it goes straight to the terminal. Throws
 * {@link TerraformMissingError} or {@link TerraformCommandError}.
 */
export function terraform(
  args: readonly string[],
  options: { cwd: string; session: TerraformSession; inherit?: boolean },
): string {
  const result: SpawnSyncReturns<string> = spawnSync("terraform", args, {
    cwd: options.cwd,
    env: options.session.env,
    encoding: "utf8",
    stdio: options.inherit === true ? "inherit" : "pipe",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error !== undefined) {
    const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
    if (missing) throw new TerraformMissingError({ cause: result.error });
    throw result.error;
  }
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.status !== 0) throw new TerraformCommandError(args, output);
  return result.stdout ?? "";
}

/** Whether a terraform binary can be run here. */
export function terraformAvailable(): boolean {
  const result = spawnSync("terraform", ["version"], {
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
  });
  return result.error === undefined && result.status === 0;
}

/** A terraform too old for FlightDeck. */
export class TerraformVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TerraformVersionError";
  }
}

/**
 * Refuses a terraform older than {@link MIN_TERRAFORM}, before anything is
 * synthesized or planned. Throws {@link TerraformMissingError} when there is none.
 */
export function requireTerraformVersion(env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync("terraform", ["version", "-json"], {
    encoding: "utf8",
    env: { ...env, CHECKPOINT_DISABLE: "1" },
  });
  if (result.error !== undefined) throw new TerraformMissingError({ cause: result.error });
  let version = "(unknown version)";
  try {
    version = String(
      (JSON.parse(result.stdout) as { terraform_version?: unknown }).terraform_version,
    );
  } catch {
    // Older than 0.13, which had no -json: refused below as an unknown version.
  }
  const problem = terraformVersionProblem(version);
  if (problem !== undefined) throw new TerraformVersionError(problem);
}
