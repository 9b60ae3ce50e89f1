// Module hooks for tests that check what a process loads: every file: module
// it resolves is appended, one URL a line, to the file FD_MODULE_TRACE names.
// Registered with `node --import <data: URL calling module.register>`.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (resolved.url.startsWith("file:")) {
    appendFileSync(process.env.FD_MODULE_TRACE, `${resolved.url}\n`);
  }
  return resolved;
}
