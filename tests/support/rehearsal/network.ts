import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { NETNS_PREFIX, run, runOrThrow, SYSTEM_PATH } from "./host.js";

/*
 * The rehearsal's VPC, built from network namespaces. One namespace per run
 * (`fdr-<run>-aws`) stands for AWS: a bridge holding the subnet's router
 * and resolver addresses, the instance metadata address and the public
 * endpoints' address, where the fake AWS listens. Each instance gets a namespace of its
 * own, joined to the bridge by a veth pair. The root namespace gets nothing:
 * no address, no route, so nothing here can reach or shadow the host.
 */

/** The cluster subnet of the template (`PublicSubnet`), its router and the instances' prefix length. */
export const SUBNET = { router: "10.0.0.1", dns: "10.0.0.2", prefix: 20 } as const;

/** Where the fake AWS answers: the metadata service and the regional endpoints. */
export const METADATA_ADDRESS = "169.254.169.254";
export const ENDPOINT_ADDRESS = "192.0.2.10";

/** The namespace standing for AWS in run `runId`. */
export const awsNamespace = (runId: string) => `${NETNS_PREFIX}${runId}-aws`;

/** The namespace of one instance. */
export const instanceNamespace = (runId: string, instanceId: string) =>
  `${NETNS_PREFIX}${runId}-${instanceId}`;

const ip = (...args: string[]) => runOrThrow("ip", args);

const execFileAsync = promisify(execFile);

/** `ip` without blocking the caller's event loop (the fake AWS serves while it launches). */
async function ipAsync(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync("ip", args, {
    env: { PATH: SYSTEM_PATH },
    timeout: 30_000,
  });
  return stdout;
}

/** Creates the run's AWS namespace: bridge, router, metadata and endpoint addresses. */
export function createAwsNetwork(runId: string): string {
  const ns = awsNamespace(runId);
  ip("netns", "add", ns);
  ip("-n", ns, "link", "set", "lo", "up");
  ip("-n", ns, "addr", "add", `${METADATA_ADDRESS}/32`, "dev", "lo");
  ip("-n", ns, "addr", "add", `${ENDPOINT_ADDRESS}/32`, "dev", "lo");
  ip("-n", ns, "link", "add", "vpc0", "type", "bridge");
  ip("-n", ns, "addr", "add", `${SUBNET.router}/${SUBNET.prefix}`, "dev", "vpc0");
  // The VPC resolver (AmazonProvidedDNS): the fake answers there (fake-aws/dns.ts).
  ip("-n", ns, "addr", "add", `${SUBNET.dns}/32`, "dev", "vpc0");
  ip("-n", ns, "link", "set", "vpc0", "up");
  return ns;
}

/** Creates one instance's namespace with `address` on eth0, wired to the run's bridge. */
export async function createInstanceNetwork(
  runId: string,
  instanceId: string,
  address: string,
): Promise<string> {
  const aws = awsNamespace(runId);
  const ns = instanceNamespace(runId, instanceId);
  const veth = `v${instanceId.slice(-12)}`;
  await ipAsync("netns", "add", ns);
  await ipAsync(
    "-n",
    aws,
    "link",
    "add",
    veth,
    "type",
    "veth",
    "peer",
    "name",
    "eth0",
    "netns",
    ns,
  );
  await ipAsync("-n", aws, "link", "set", veth, "master", "vpc0", "up");
  await ipAsync("-n", ns, "link", "set", "lo", "up");
  await ipAsync("-n", ns, "addr", "add", `${address}/${SUBNET.prefix}`, "dev", "eth0");
  await ipAsync("-n", ns, "link", "set", "eth0", "up");
  await ipAsync("-n", ns, "route", "add", "default", "via", SUBNET.router);
  return ns;
}

/** {@link deleteNamespace} without blocking the caller's event loop. */
export async function deleteNamespaceAsync(ns: string): Promise<void> {
  const pids = await ipAsync("netns", "pids", ns).catch(() => "");
  for (const pid of pids.split("\n").filter((line) => /^\d+$/.test(line))) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // already gone
    }
  }
  await ipAsync("netns", "del", ns).catch(() => "");
}

/** The processes in a network namespace, by pid. */
export function processesIn(ns: string): number[] {
  return run("ip", ["netns", "pids", ns])
    .stdout.split("\n")
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
}

/** Kills whatever still runs in `ns` and deletes it (its veth goes with it). */
export function deleteNamespace(ns: string): void {
  for (const pid of processesIn(ns)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  run("ip", ["netns", "del", ns]);
}

/** Every network namespace whose name starts with `prefix`. */
export function namespacesWithPrefix(prefix: string): string[] {
  return run("ip", ["netns", "list"])
    .stdout.split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name.startsWith(prefix));
}
