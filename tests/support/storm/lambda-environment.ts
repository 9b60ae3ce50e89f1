import { fork } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";
import { createInterface } from "node:readline";

/*
 * A Lambda execution environment: one function's bundle, loaded once, running
 * one invocation at a time. Two kinds:
 *
 * - "process": a fresh `node` process that imports the built bundle from
 *   scratch, every chunk of it, as Lambda's INIT does; its init (from spawn
 *   to the handler imported) is real, and its first invocation runs on code
 *   nothing has run before. Each invocation is timed inside that process, so
 *   the figures leave out the IPC, and its CPU time is the handler's alone.
 *   What a cold start costs is measured with these.
 * - "module": the bundle's entry imported afresh as a new module instance in
 *   the caller's own process. Its chunks (the SDK) are shared with every
 *   other instance there, already loaded and optimised by the JIT, so its
 *   "init" is a fraction of a real one: only warm figures are measured with
 *   these (the steady state of an environment that has served many events),
 *   and `npm test`'s storm, which checks outcomes, not time.
 */

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export type EnvironmentKind = "process" | "module";

/** One invocation's outcome, as the environment timed it. */
export interface InvocationOutcome {
  readonly response?: unknown;
  /** What the handler threw; undefined when it returned. */
  readonly error?: unknown;
  /** Wall time of the handler's run. */
  readonly durationMs: number;
  /**
   * CPU time (user + system) of the environment's process during the run: a
   * process environment's own; a module environment's shared process's,
   * which is the handler's own only when it ran alone.
   */
  readonly cpuMs: number;
}

export interface ExecutionEnvironment {
  invoke(event: unknown, context: unknown): Promise<InvocationOutcome>;
  /** Ends the environment (a process environment's process). */
  close(): void;
}

/** A module environment around a freshly imported handler. */
export function moduleEnvironment(handler: Handler): ExecutionEnvironment {
  return {
    async invoke(event, context) {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      let response: unknown;
      let error: unknown;
      try {
        response = await handler(event, context);
      } catch (thrown) {
        error = thrown ?? new Error("handler threw");
      }
      const durationMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      return { response, error, durationMs, cpuMs: (cpu.user + cpu.system) / 1000 };
    },
    close: () => undefined,
  };
}

const CHILD = fileURLToPath(new URL("./lambda-environment-child.mjs", import.meta.url));
const root = fileURLToPath(new URL("../../..", import.meta.url));

/** The built bundle's entry for a function. */
export const bundleUrl = (name: string) =>
  pathToFileURL(path.join(root, "dist", "functions", name, "index.mjs")).href;

type ChildMessage =
  | { readonly ready: true }
  | (InvocationOutcome & { readonly id: number; readonly ready?: undefined });

/**
 * Starts a process environment for the bundle at `url`, with the environment
 * variables `env`; resolves once its handler is imported. Its JSON log lines
 * (a Lambda's go to CloudWatch) are dropped; anything else it writes to
 * stderr passes to this process's.
 */
export function processEnvironment(
  url: string,
  env: NodeJS.ProcessEnv,
): Promise<ExecutionEnvironment> {
  // No execArgv: the environment runs plain node, without this process's loader (tsx).
  const child = fork(CHILD, [url], {
    env,
    execArgv: [],
    stdio: ["ignore", "ignore", "pipe", "ipc"],
    serialization: "advanced",
  });
  if (child.stderr !== null)
    createInterface({ input: child.stderr }).on("line", (line) => {
      if (!line.startsWith("{")) process.stderr.write(`${line}\n`);
    });
  const waiting = new Map<number, (outcome: InvocationOutcome) => void>();
  let nextId = 0;
  return new Promise((resolve, reject) => {
    child.on("message", (message: ChildMessage) => {
      if (message.ready === true) resolve(environmentOf());
      else {
        waiting.get(message.id)?.(message);
        waiting.delete(message.id);
      }
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      const error = new Error(`the environment's process exited (${code ?? signal})`);
      reject(error);
      for (const settle of waiting.values()) settle({ error, durationMs: 0, cpuMs: 0 });
      waiting.clear();
    });
  });

  function environmentOf(): ExecutionEnvironment {
    return {
      invoke(event, context) {
        const id = (nextId += 1);
        return new Promise((settle) => {
          if (!child.connected) {
            settle({
              error: new Error("the environment's process is gone"),
              durationMs: 0,
              cpuMs: 0,
            });
            return;
          }
          waiting.set(id, settle);
          child.send({ id, event, context });
        });
      },
      close: () => {
        child.kill();
      },
    };
  }
}
