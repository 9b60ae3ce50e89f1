import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/*
 * moto in server mode (moto_server, Python), an AWS emulator Terraform can
 * apply to: started on a free loopback port for one suite, stopped after it.
 */

/** How to start moto here: `moto_server`, else `python3.11 -m moto.server`; undefined when neither works. */
export function motoCommand(): readonly string[] | undefined {
  const candidates: ReadonlyArray<readonly string[]> = [
    ["moto_server"],
    ["python3.11", "-m", "moto.server"],
    ["python3", "-m", "moto.server"],
  ];
  return candidates.find(([command, ...args]) => {
    const probe = spawnSync(command as string, [...args, "--help"], { encoding: "utf8" });
    return probe.error === undefined && probe.status === 0;
  });
}

/** A free TCP port on 127.0.0.1, as the kernel hands one out. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A running moto server. */
export interface MotoServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts moto with `command` on a free loopback port, its log (one line a
 * request) in `logPath` rather than a pipe a busy test could leave full,
 * and waits (at most 30 s) until it answers.
 */
export async function startMoto(command: readonly string[], logPath: string): Promise<MotoServer> {
  const port = await freePort();
  const [program, ...args] = command;
  const logFile = openSync(logPath, "w");
  const child: ChildProcess = spawn(
    program as string,
    [...args, "-H", "127.0.0.1", "-p", String(port)],
    { stdio: ["ignore", logFile, logFile] },
  );
  closeSync(logFile);
  const log = () => readFileSync(logPath, "utf8").slice(-4000);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    await exited;
  };
  for (let attempt = 0; attempt < 150; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`moto_server exited at start:\n${log()}`);
    try {
      const response = await fetch(`${url}/moto-api/`);
      if (response.ok) return { url, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`moto_server did not answer on ${url} within 30 s:\n${log()}`);
}
