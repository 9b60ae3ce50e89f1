import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { removeNodeCgroups } from "./cgroups.js";
import { NETNS_PREFIX, REHEARSAL_ROOT, run } from "./host.js";
import { deleteNamespace, namespacesWithPrefix } from "./network.js";

/*
 * One rehearsal run: a unique id in every name it creates, a folder under
 * REHEARSAL_ROOT recording its owner's pid, and clean-up that runs however
 * the run ends (its own stop, the process exiting, a signal). Starting a run
 * first sweeps what dead earlier runs left: namespaces whose recorded owner
 * is gone (and everything still running in them, and the packet filter's
 * table, which lives in the AWS namespace), their cgroups, and any mount
 * left under their folders (the homes are mounted only inside the nodes'
 * own mount namespaces, which die with the nodes; this is the safety net).
 */

const DAY_MS = 24 * 3600_000;

function ownerAlive(runId: string): boolean {
  try {
    const { pid } = JSON.parse(readFileSync(join(REHEARSAL_ROOT, runId, "owner.json"), "utf8")) as {
      pid: number;
    };
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Unmounts whatever is mounted below `dir` in this mount namespace, deepest first; returns what stays. */
function unmountUnder(dir: string): string[] {
  const points = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => (line.split(" ")[4] ?? "").replace(/\\040/g, " "))
    .filter((point) => point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of points) run("umount", ["-l", point]);
  return points.filter((point) =>
    readFileSync("/proc/self/mountinfo", "utf8").includes(` ${point} `),
  );
}

/** Removes the namespaces (and their processes) of runs whose owner is dead, and old run folders. */
export function sweepStaleRuns(): string[] {
  const swept: string[] = [];
  for (const ns of namespacesWithPrefix(NETNS_PREFIX)) {
    const runId = ns.slice(NETNS_PREFIX.length).split("-")[0] ?? "";
    if (!ownerAlive(runId)) {
      deleteNamespace(ns);
      swept.push(ns);
    }
  }
  if (existsSync(REHEARSAL_ROOT)) {
    for (const runId of readdirSync(REHEARSAL_ROOT)) {
      if (ownerAlive(runId)) continue;
      removeNodeCgroups(`${runId}-`);
      unmountUnder(join(REHEARSAL_ROOT, runId));
    }
  }
  if (existsSync(REHEARSAL_ROOT)) {
    for (const runId of readdirSync(REHEARSAL_ROOT)) {
      const dir = join(REHEARSAL_ROOT, runId);
      if (!ownerAlive(runId) && Date.now() - statSync(dir).mtimeMs > DAY_MS) {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  return swept;
}

export class RehearsalRun {
  private readonly cleanups: Array<() => void> = [];
  private finished = false;
  private readonly onExit = () => this.cleanUp();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.cleanUp();
    process.kill(process.pid, signal);
  };

  private constructor(
    readonly id: string,
    readonly dir: string,
  ) {}

  /** Sweeps dead runs, then starts a run with a fresh id and folder. */
  static create(name: string): RehearsalRun {
    sweepStaleRuns();
    const id = randomBytes(3).toString("hex");
    const dir = join(REHEARSAL_ROOT, id);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileSync(
      join(dir, "owner.json"),
      JSON.stringify({ pid: process.pid, name, started: new Date().toISOString() }),
    );
    const run = new RehearsalRun(id, dir);
    process.once("exit", run.onExit);
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
      process.once(signal, run.onSignal);
    return run;
  }

  /** Registers a synchronous clean-up step; they run last-in, first-out. */
  atCleanUp(step: () => void): void {
    this.cleanups.push(step);
  }

  /** Runs every clean-up step, then removes whatever namespace of this run is left. Idempotent. */
  cleanUp(): void {
    if (this.finished) return;
    this.finished = true;
    for (const step of this.cleanups.reverse()) {
      try {
        step();
      } catch (error) {
        console.error(`rehearsal ${this.id}: clean-up step failed:`, error);
      }
    }
    for (const ns of namespacesWithPrefix(`${NETNS_PREFIX}${this.id}-`)) deleteNamespace(ns);
    const left = removeNodeCgroups(`${this.id}-`);
    if (left.length > 0) console.error(`rehearsal ${this.id}: cgroups left: ${left.join(" ")}`);
    const mounted = unmountUnder(this.dir);
    if (mounted.length > 0)
      console.error(`rehearsal ${this.id}: mounts left: ${mounted.join(" ")}`);
    process.off("exit", this.onExit);
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
      process.off(signal, this.onSignal);
  }

  /** Deletes the run's folder (logs included): after a run that passed. */
  removeFolder(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
