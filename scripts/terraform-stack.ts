import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  requireTerraformVersion,
  terraform,
  terraformSession,
  type TerraformSession,
} from "./terraform-cli.js";
import { DESTROY_OVERRIDE } from "./destroy-guard.js";
import { nodeVersionProblem } from "./tool-versions.js";

/*
 * The steps `npm run plan`, `deploy` and `destroy` share: check the Node.js
 * and Terraform versions, build the bundles, synthesize the stack with the
 * chosen settings, and `terraform init` it.
 */

/**
 * Where `main.ts` writes the stack: cdktf's own `CDKTF_OUTDIR` when set (the
 * App reads it too), else cdktf's default folder. Terraform runs, and
 * `terraform output` works, in {@link STACK_DIR} under it.
 */
export const OUT_DIR = process.env["CDKTF_OUTDIR"] ?? "cdktf.out";
export const STACK_DIR = join(OUT_DIR, "stacks", "flightdeck");

/** A step that failed, with what to do about it. */
export class StepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StepError";
  }
}

function run(command: string, args: readonly string[], what: string): void {
  const result = spawnSync(command, args, { stdio: "inherit", env: process.env });
  if (result.error !== undefined || result.status !== 0) {
    throw new StepError(
      `${what} failed${result.status === null ? "" : ` (exit ${result.status})`}.`,
    );
  }
}

/** `npm run build`: the Lambda bundles the stack packages. */
export function buildBundles(): void {
  run("npm", ["run", "--silent", "build"], "npm run build");
}

/** Synthesizes the stack, as `npm run synth` does, with an optional settings path. */
export function synthesize(settingsPath: string | undefined): void {
  const args = [
    "--import",
    "tsx",
    "main.ts",
    ...(settingsPath === undefined ? [] : [settingsPath]),
  ];
  run(process.execPath, args, "Synthesizing the stack (tsx main.ts)");
}

/** Whether the synthesized stack keeps its state in S3 (which needs real credentials). */
export function usesRemoteState(stackDir: string): boolean {
  const config = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as {
    terraform?: { backend?: Record<string, unknown> };
  };
  return Object.keys(config.terraform?.backend ?? {}).some((type) => type !== "local");
}

/** Where main.ts takes the Lambda bundles from. */
const BUNDLES = ["cf-create", "cf-delete"].map((name) => join("dist", "functions", `${name}.zip`));

/** Refuses a Node.js or Terraform FlightDeck does not support (tool-versions.ts). */
export function requireSupportedTools(): void {
  const node = nodeVersionProblem(process.version);
  if (node !== undefined) throw new StepError(node);
  requireTerraformVersion();
}

/**
 * Checks the tools, builds (with `build: "if-missing"`, only when no bundle
 * has been built: a teardown does not need the code to compile),
 * synthesizes and initializes the stack; returns the session to run terraform with.
 */
export function prepareStack(
  settingsPath: string | undefined,
  options: { build: "always" | "if-missing" } = { build: "always" },
): TerraformSession {
  requireSupportedTools();
  if (options.build === "always" || !BUNDLES.every((bundle) => existsSync(bundle))) buildBundles();
  synthesize(settingsPath);
  if (!existsSync(join(STACK_DIR, "cdk.tf.json"))) {
    throw new StepError(`${STACK_DIR}/cdk.tf.json was not written.`);
  }
  // A teardown that was stopped may have left its override behind: it must never reach a deploy.
  rmSync(join(STACK_DIR, DESTROY_OVERRIDE), { force: true });
  const session = terraformSession(OUT_DIR);
  if (session.offline && usesRemoteState(STACK_DIR)) {
    throw new StepError(
      "The settings keep Terraform state in S3, which needs AWS credentials; none are configured.",
    );
  }
  terraform(["init", "-input=false", "-no-color"], { cwd: resolve(STACK_DIR), session });
  return session;
}
