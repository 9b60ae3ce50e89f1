import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { NETNS_PREFIX, run, runOrThrow, SYSTEM_PATH } from "./host.js";
import { addressIn, block } from "./ipv4.js";

/*
 * The rehearsal's VPC, built from network namespaces. One namespace per run
 * (`fdr-<run>-aws`) stands for AWS: a bridge holding each subnet's router
 * (its base + 1), the VPC resolver (the VPC's base + 2) and the addresses the
 * fake serves in the VPC (EFS mount targets), the instance metadata and
 * regional endpoint addresses, and the access network's host (the user's
 * laptop, reaching the VPC through the internet gateway). Each instance gets
 * a namespace of its own, joined to the bridge by a veth pair, with its
 * subnet's router as its gateway. The root namespace gets nothing: no
 * address, no route, so nothing here can reach or shadow the host.
 */

/** The rehearsal deployment's VPC block: its resolver is its base + 2. */
export const VPC_CIDR = "10.0.0.0/16";
export const RESOLVER_ADDRESS = addressIn(VPC_CIDR, 2);

/** Where the fake AWS answers: the metadata service and the regional endpoints. */
export const METADATA_ADDRESS = "169.254.169.254";
export const ENDPOINT_ADDRESS = "192.0.2.10";

/** The access network (the settings' `accessNetwork`) and its one host, the user's laptop. */
export const ACCESS_NETWORK = "198.51.100.0/24";
export const ACCESS_HOST = addressIn(ACCESS_NETWORK, 10);

/** Where instances' public addresses come from: the internet gateway translates them. */
const PUBLIC_NETWORK = "203.0.113.0/24";

/**
 * The bridge's own MAC, fixed. A bridge otherwise takes the lowest MAC of its
 * ports, so it changed whenever that instance went, and every node's ARP
 * entry for the router, the resolver and the fake then pointed nowhere until
 * it expired (tens of seconds without DNS: slurmctld's lookups timed out).
 */
const BRIDGE_MAC = "02:fd:00:00:00:01";

/** What the VPC's bridge holds: each subnet's block, and the fake's service addresses in them. */
export interface VpcLayout {
  readonly subnets: readonly string[];
  readonly serviceAddresses: readonly string[];
}

const DEFAULT_LAYOUT: VpcLayout = { subnets: [VPC_CIDR], serviceAddresses: [] };

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

/** Sets a sysctl inside `ns` and reads it back: throws if the kernel keeps another value. */
function sysctlIn(ns: string, key: string, value: string): void {
  const file = `/proc/sys/${key.replaceAll(".", "/")}`;
  const nsenter = (...command: string[]) =>
    run("nsenter", [`--net=/var/run/netns/${ns}`, ...command]);
  nsenter("sh", "-c", `echo ${value} >${file}`);
  const actual = nsenter("cat", file).stdout.trim();
  if (actual !== value) {
    throw new Error(
      `cannot set ${key}=${value} in the rehearsal's AWS namespace (it is ${actual || "missing"}): ` +
        "the security groups' packet filter needs it (is the br_netfilter module loaded?)",
    );
  }
}

/** Creates the run's AWS namespace: the VPC's bridge and routers, the fake's addresses, the access host. */
export function createAwsNetwork(runId: string, layout: VpcLayout = DEFAULT_LAYOUT): string {
  const ns = awsNamespace(runId);
  ip("netns", "add", ns);
  // Bridged IPv4 through the inet hooks, with conntrack: the security groups (fake-aws/packet-filter.ts).
  sysctlIn(ns, "net.bridge.bridge-nf-call-iptables", "1");
  // Between subnets, as the VPC router does; never out, as the namespace has no other link.
  sysctlIn(ns, "net.ipv4.ip_forward", "1");
  ip("-n", ns, "link", "set", "lo", "up");
  for (const address of [METADATA_ADDRESS, ENDPOINT_ADDRESS, ACCESS_HOST])
    ip("-n", ns, "addr", "add", `${address}/32`, "dev", "lo");
  ip("-n", ns, "link", "add", "vpc0", "address", BRIDGE_MAC, "type", "bridge");
  for (const subnet of layout.subnets)
    ip("-n", ns, "addr", "add", `${addressIn(subnet, 1)}/${block(subnet).prefix}`, "dev", "vpc0");
  // The VPC resolver (AmazonProvidedDNS): the fake answers there (fake-aws/vpc-resolver.ts).
  for (const address of [RESOLVER_ADDRESS, ...layout.serviceAddresses])
    ip("-n", ns, "addr", "add", `${address}/32`, "dev", "vpc0");
  ip("-n", ns, "link", "set", "vpc0", "up");
  // Instances' public addresses are on the internet gateway's side (a DNAT to each).
  ip("-n", ns, "route", "add", PUBLIC_NETWORK, "dev", "vpc0");
  return ns;
}

/** Creates one instance's namespace with `address` in `subnet` on eth0, wired to the run's bridge. */
export async function createInstanceNetwork(
  runId: string,
  instanceId: string,
  address: string,
  subnet: string,
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
  // IPv4 only, as the VPC is: no IPv6 link-local address to talk past the packet filter.
  await ipAsync("-n", ns, "link", "set", "eth0", "addrgenmode", "none");
  await ipAsync("-n", ns, "addr", "add", `${address}/${block(subnet).prefix}`, "dev", "eth0");
  await ipAsync("-n", ns, "link", "set", "eth0", "up");
  await ipAsync("-n", ns, "route", "add", "default", "via", addressIn(subnet, 1));
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

/** Kills whatever still runs in `ns` and deletes it (its veths, addresses and nft tables go with it). */
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
