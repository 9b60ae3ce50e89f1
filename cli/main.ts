import { runCli } from "./program.js";

// Ctrl-C stops waiting and exits cleanly; it never deletes anything.
const controller = new AbortController();
process.once("SIGINT", () => controller.abort());

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
});
process.exitCode = code;
