import { existsSync, readdirSync, rmdirSync, statSync } from "node:fs";
import { join } from "node:path";

/*
 * The nodes' cgroups (node-setup.sh makes one per instance in each v1
 * hierarchy, named fdr-<run>-<instance>, and Slurm makes its job cgroups
 * below): removed once the nodes' processes are gone, deepest first, as
 * a cgroup can only be removed empty.
 */

const CGROUP_ROOT = "/sys/fs/cgroup";
/** How deep below a hierarchy's root a node's cgroup can sit (the test process's own cgroup). */
const SEARCH_DEPTH = 4;

function nodeCgroupsUnder(folder: string, prefix: string, depth: number): string[] {
  if (depth === 0) return [];
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(folder, name);
    try {
      if (!statSync(path).isDirectory()) return [];
    } catch {
      return [];
    }
    return name.startsWith(prefix) ? [path] : nodeCgroupsUnder(path, prefix, depth - 1);
  });
}

function removeTree(path: string): boolean {
  let removed = true;
  for (const name of readdirSync(path)) {
    const child = join(path, name);
    try {
      if (statSync(child).isDirectory()) removed = removeTree(child) && removed;
    } catch {
      // gone meanwhile
    }
  }
  try {
    rmdirSync(path);
  } catch {
    return false;
  }
  return removed;
}

/** Removes the cgroups of the nodes of runs whose ids start `runPrefix` (all of one run, or all runs). */
export function removeNodeCgroups(runPrefix: string): string[] {
  if (!existsSync(CGROUP_ROOT)) return [];
  const left: string[] = [];
  for (const hierarchy of readdirSync(CGROUP_ROOT)) {
    for (const path of nodeCgroupsUnder(
      join(CGROUP_ROOT, hierarchy),
      `fdr-${runPrefix}`,
      SEARCH_DEPTH,
    )) {
      // A killed node's processes take a moment to leave their cgroups.
      let gone = false;
      for (let attempt = 0; attempt < 50 && !gone; attempt += 1) {
        gone = removeTree(path);
        if (!gone) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      }
      if (!gone) left.push(path);
    }
  }
  return left;
}
