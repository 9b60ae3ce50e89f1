import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The project folder, where the tests run the command from. */
export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The launcher package.json's `bin` names; it runs the built dist/cli/flightdeck.mjs. */
const CLI_BIN = path.join(PROJECT_ROOT, "cli", "bin.mjs");
const BUILT_CLI = path.join(PROJECT_ROOT, "dist", "cli", "flightdeck.mjs");

/** What one run of the command printed, and its exit code. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where and how the command runs, and who watches its output as it comes. */
export interface CliOptions {
  /** The folder it runs in: the project folder unless given. */
  readonly cwd?: string;
  /** Options for Node, before the command's script. */
  readonly nodeOptions?: readonly string[];
  /**
   * Told each piece of output as the command prints it, while it runs (a test
   * waits on what a `--wait` has shown before it moves the world on).
   */
  readonly onOutput?: (text: string, stream: "stdout" | "stderr") => void;
}

/**
 * Runs the built `flightdeck` command, as a user would, from the project
 * folder, with only PATH and the given variables in its environment; resolves
 * when it exits.
 */
export function cli(
  args: readonly string[],
  env: Record<string, string> = {},
  options: CliOptions = {},
): Promise<CliRun> {
  if (!existsSync(BUILT_CLI)) {
    throw new Error(
      `dist/cli/flightdeck.mjs is missing: run "npm run build" first (npm test does).`,
    );
  }
  const child = spawn(process.execPath, [...(options.nodeOptions ?? []), CLI_BIN, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { PATH: process.env["PATH"] ?? "", ...env },
  });
  let stdout = "";
  let stderr = "";
  // Decoded as a stream: a character split between two chunks is still one character.
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (text: string) => {
    stdout += text;
    options.onOutput?.(text, "stdout");
  });
  child.stderr.on("data", (text: string) => {
    stderr += text;
    options.onOutput?.(text, "stderr");
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The environment of a user whose `flightdeck` talks to a local S3 (s3rver) at `endpoint` (and STS at `stsEndpoint`, when given), as alice. */
export function localUserEnv(endpoint: string, stsEndpoint?: string): Record<string, string> {
  return {
    ...(stsEndpoint === undefined ? {} : { AWS_ENDPOINT_URL_STS: stsEndpoint }),
    HOME: process.env["HOME"] ?? "/tmp",
    AWS_REGION: "eu-west-2",
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
    AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
    FLIGHTDECK_S3_FORCE_PATH_STYLE: "true",
    FLIGHTDECK_BUCKET: "fd-users",
    FLIGHTDECK_USER: "alice",
  };
}
