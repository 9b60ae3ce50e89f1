import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/*
 * The rehearsal host: the commands it runs as root and what it needs
 * installed. Nodes are containers built from this machine's own root file
 * system (see node-setup.sh), so every package a node's boot installs must
 * already be here: .ci/run installs them.
 */

/** Where every run keeps its folder (logs, the users' homes, the fake's socket). */
export const REHEARSAL_ROOT = "/tmp/flightdeck-rehearsal";

/** Network namespaces of a run are named `fdr-<run id>-…`. */
export const NETNS_PREFIX = "fdr-";

/** The folder holding node-setup.sh and the image seams. */
export const SUPPORT_DIR = fileURLToPath(new URL("./", import.meta.url));

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A PATH like a fresh Ubuntu's: no per-user tool managers reach the nodes. */
export const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Debian packages the nodes' boot and the default customizers expect preinstalled (.ci/run installs them). */
const REHEARSAL_PACKAGES: readonly string[] = readFileSync(
  new URL("./debian-packages.txt", import.meta.url),
  "utf8",
)
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion (bounded by `timeoutMs`) and returns its output. */
export function run(command: string, args: readonly string[], timeoutMs = 30_000): CommandResult {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    timeout: timeoutMs,
    env: { PATH: SYSTEM_PATH, LC_ALL: "C" },
  });
  return {
    status: result.error === undefined ? result.status : null,
    stdout: result.stdout ?? "",
    stderr: result.error === undefined ? (result.stderr ?? "") : String(result.error),
  };
}

/** Runs a command and throws with its output unless it exits 0. */
export function runOrThrow(command: string, args: readonly string[], timeoutMs?: number): string {
  const result = run(command, args, timeoutMs);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr}`);
  }
  return result.stdout;
}

/** Why the rehearsal cannot run here, or an empty list when it can. */
export function missingRequirements(): string[] {
  const missing: string[] = [];
  if (process.platform !== "linux") return ["a Linux host"];
  if (process.getuid?.() !== 0) missing.push("root (network and mount namespaces)");
  for (const tool of ["ip", "unshare", "nsenter", "setpriv", "openssl", "/usr/bin/python3"]) {
    if (run("sh", ["-c", `command -v ${tool}`]).status !== 0) missing.push(tool);
  }
  const statuses = run("dpkg-query", [
    "-W",
    "-f",
    "${Package} ${Status}\\n",
    ...REHEARSAL_PACKAGES,
  ]);
  for (const name of REHEARSAL_PACKAGES) {
    if (!new RegExp(`^${name} install ok installed$`, "m").test(statuses.stdout)) {
      missing.push(`Debian package ${name}`);
    }
  }
  if (!existsSync("/sys/fs/cgroup")) missing.push("/sys/fs/cgroup");
  // The security groups' packet filter sees bridged packets through it (network.ts).
  if (!existsSync("/proc/sys/net/bridge/bridge-nf-call-iptables"))
    missing.push("the br_netfilter kernel module (modprobe br_netfilter)");
  if (missing.length === 0 && run("unshare", ["-m", "-p", "-f", "-u", "true"]).status !== 0) {
    missing.push("permission to create mount, pid and uts namespaces");
  }
  return missing;
}
