import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { UploadHandler } from "./upload-queue.js";

/*
 * The BUILT Lambda bundles (dist/functions, from `npm run build`) as the
 * tests run them: each load a new module instance of a bundle, with its
 * own clients and caches, as a new execution environment (a cold start)
 * would have, invoked with a Lambda context of their own.
 */

/** A function's entry point: the bundle's exported handler. */
export type Handler = UploadHandler;

/** The two functions FlightDeck deploys. */
export type FunctionName = "cf-create" | "cf-delete";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bundlePath = (name: FunctionName) => path.join(root, "dist", "functions", name, "index.mjs");

/**
 * One more execution environment of a function: its built bundle loaded as a
 * new module instance, with its own clients and caches.
 */
export async function freshHandler(name: FunctionName): Promise<Handler> {
  const url = pathToFileURL(bundlePath(name));
  url.search = `?cold=${Date.now()}-${Math.random()}`;
  return ((await import(url.href)) as { handler: Handler }).handler;
}

/** The Lambda context of an invocation, the `n`th of the test's. */
export const lambdaContext = (n: number): unknown => ({
  functionName: "test",
  awsRequestId: `req-${n}`,
  invokedFunctionArn: "arn:aws:lambda:eu-west-2:111122223333:function:test",
  memoryLimitInMB: "256",
  functionVersion: "$LATEST",
});

/** Refuses to go on without the built bundles the handlers are loaded from. */
export function checkBundles(): void {
  for (const name of ["cf-create", "cf-delete"] as const) {
    if (!existsSync(bundlePath(name))) {
      throw new Error(
        `dist/functions/${name}/index.mjs is missing: run "npm run build" first (npm test does).`,
      );
    }
  }
}
