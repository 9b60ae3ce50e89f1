#!/usr/bin/env node
import { runCli } from "./program.js";

// The SDK's notice that its 2027 releases need Node 22 is for whoever pins its version (us), not for researchers.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

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
