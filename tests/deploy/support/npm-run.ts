import { spawn } from "node:child_process";
import { PROJECT_ROOT } from "../../support/run-cli.js";

/** What one `npm run` printed, its exit code and how long it took. */
export interface NpmRun {
  readonly code: number | null;
  readonly output: string;
  readonly seconds: number;
}

/**
 * Runs `npm run <script> -- <args>` in the project folder with exactly `env`,
 * as an admin would from a terminal; stdout and stderr are kept together,
 * in order. Never rejects: the caller reads the code.
 */
export function npmRun(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<NpmRun> {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (chunk: Buffer) => (output += chunk.toString());
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ code, output, seconds });
    });
  });
}
