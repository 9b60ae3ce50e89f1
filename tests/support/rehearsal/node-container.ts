import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, openSync, readFileSync, writeFileSync, closeSync } from "node:fs";
import { join } from "node:path";
import { SUPPORT_DIR, SYSTEM_PATH } from "./host.js";

/*
 * One rehearsal node: a "machine" made of namespaces (node-setup.sh), booted
 * from the rehearsal image (this host's root file system, the seams in
 * ./image/ and the files an instance gets at launch: user data, hostname,
 * /etc/hosts, resolver, trusted certificates) and booted "now" (its own
 * time namespace). Starting it is launching an instance; killing its pid 1
 * is terminating it.
 */

/** Files an instance's image gets besides the seams, keyed by absolute path. */
export type InstanceFiles = Readonly<Record<string, string>>;

export interface NodeSpec {
  /** The instance's folder in the run directory: image/, log/, root/. */
  readonly dir: string;
  /** Its network namespace, already wired (network.ts). */
  readonly netns: string;
  readonly files: InstanceFiles;
}

export interface RunningNode {
  readonly process: ChildProcess;
  /** The host pid of the node's pid 1, for nsenter. */
  readonly initPid: () => number | undefined;
  readonly exited: Promise<void>;
}

function uptimeSeconds(): number {
  return Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
}

/** Starts a node; it runs its user data at once. */
export function startNode(spec: NodeSpec): RunningNode {
  const image = join(spec.dir, "image");
  mkdirSync(join(spec.dir, "log"), { recursive: true });
  cpSync(join(SUPPORT_DIR, "image"), image, { recursive: true });
  for (const [path, text] of Object.entries(spec.files)) {
    const target = join(image, path);
    mkdirSync(join(target, ".."), { recursive: true });
    writeFileSync(target, text);
  }
  const output = openSync(join(spec.dir, "setup.log"), "a");
  // setpriv: if the fake AWS dies, its nodes die with it (unshare --kill-child passes it on).
  const child = spawn(
    "setpriv",
    [
      "--pdeathsig",
      "KILL",
      "nsenter",
      `--net=/var/run/netns/${spec.netns}`,
      "unshare",
      "--mount",
      "--pid",
      "--uts",
      "--fork",
      "--kill-child",
      // A time namespace whose boot time is now: the node reports a fresh boot
      // to Slurm, as a new instance does (a resumed node must, or Slurm keeps waiting).
      "--time",
      `--boottime=-${Math.floor(uptimeSeconds())}`,
      "--propagation",
      "private",
      "/bin/bash",
      join(SUPPORT_DIR, "node-setup.sh"),
      spec.dir,
    ],
    { stdio: ["ignore", output, output], env: { PATH: SYSTEM_PATH } },
  );
  closeSync(output);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const initPid = () => {
    if (child.pid === undefined) return undefined;
    try {
      const text = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8");
      const pid = Number(text.trim().split(/\s+/)[0]);
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  return { process: child, initPid, exited };
}

/** Terminates a node: everything in it dies, its mounts with it (pid 1's death ends its namespaces). */
export async function stopNode(node: RunningNode): Promise<void> {
  node.process.kill("SIGKILL");
  await Promise.race([node.exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
}
