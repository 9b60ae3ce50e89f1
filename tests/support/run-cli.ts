import { runCli } from "../../cli/program.js";

/** Runs the CLI in-process with captured streams. */
export async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: { ...env },
  });
  return { code, stdout, stderr };
}
