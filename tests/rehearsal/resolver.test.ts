import { spawn, spawnSync } from "node:child_process";
import { expect } from "chai";
import type { ZoneSnapshot } from "../support/rehearsal/fake-aws/dns.js";
import { RESOLVER_BOUND_MS, VpcResolver } from "../support/rehearsal/fake-aws/vpc-resolver.js";
import {
  createAwsNetwork,
  createInstanceNetwork,
  deleteNamespaceAsync,
  instanceNamespace,
  RESOLVER_ADDRESS,
  VPC_CIDR,
} from "../support/rehearsal/network.js";
import { RehearsalRun } from "../support/rehearsal/run.js";
import { requireRehearsalHost } from "../support/rehearsal/suite.js";

/*
 * The VPC resolver answers at once whatever else the fake is doing: slurmctld
 * looks up every node's and every client's name (getnameinfo), and a query
 * unanswered for 5 s (glibc's timeout) stalls it past sbatch's own timeout.
 */

const SNAPSHOT: ZoneSnapshot = {
  region: "eu-west-2",
  endpoints: ["s3.eu-west-2.amazonaws.com"],
  endpointAddress: "192.0.2.10",
  instances: [{ ip: "10.0.0.10", zone: "eu-west-2a" }],
  fileSystems: [
    {
      id: "fs-0123456789abcdef0",
      mountTargets: [
        { zone: "eu-west-2a", ip: "10.0.127.254" },
        { zone: "eu-west-2b", ip: "10.0.255.254" },
      ],
    },
  ],
};

/** Each query: name, type, the rcode and first A/PTR answer expected. */
const QUERIES: Array<[string, number, number, string]> = [
  ["ip-10-0-0-10.eu-west-2.compute.internal", 1, 0, "10.0.0.10"],
  ["ip-10-0-0-10.eu-west-2.compute.internal", 28, 0, ""],
  ["10.0.0.10.in-addr.arpa", 12, 0, "ip-10-0-0-10.eu-west-2.compute.internal"],
  ["compute-4.eu-west-2.compute.internal", 1, 3, ""],
  ["compute-4", 28, 3, ""],
  ["eu-west-2b.fs-0123456789abcdef0.efs.eu-west-2.amazonaws.com", 1, 0, "10.0.255.254"],
  ["s3.eu-west-2.amazonaws.com", 1, 0, "192.0.2.10"],
];

/** A client asking each query every 100 ms for `seconds`: each reply's rcode, answer and latency. */
const CLIENT = String.raw`
import json, socket, struct, sys, time
port, seconds, queries = int(sys.argv[1]), float(sys.argv[2]), json.loads(sys.argv[3])
def packet(ident, name, qtype):
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    return struct.pack(">HHHHHH", ident, 0x0100, 1, 0, 0, 0) + labels + b"\0" + struct.pack(">HH", qtype, 1)
def first_answer(reply, qtype):
    if struct.unpack(">H", reply[6:8])[0] == 0: return ""
    at = 12
    while reply[at]: at += reply[at] + 1
    at += 5 + 12
    if qtype == 1: return ".".join(str(b) for b in reply[at:at + 4])
    labels = []
    while reply[at]: labels.append(reply[at + 1:at + 1 + reply[at]].decode()); at += reply[at] + 1
    return ".".join(labels)
results, start, ident = [], time.time(), 0
while time.time() - start < seconds:
    for name, qtype, _, _ in queries:
        ident += 1
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
        sent = time.time()
        s.sendto(packet(ident, name, qtype), ("127.0.0.1", port))
        try:
            reply = s.recv(512)
            results.append([name, qtype, sent * 1000, (time.time() - sent) * 1000, reply[3] & 15, first_answer(reply, qtype)])
        except socket.timeout:
            results.append([name, qtype, sent * 1000, 5000, -1, ""])
        s.close()
    time.sleep(0.1)
print(json.dumps(results))
`;

describe("rehearsal: the VPC resolver", function () {
  this.timeout(60_000);

  it(`answers every query within ${RESOLVER_BOUND_MS} ms while the fake's main thread is blocked and the host's cores are busy`, async () => {
    const resolver = await VpcResolver.start("127.0.0.1", SNAPSHOT, 0);
    const hogs = [1, 2].map(() => spawn("sh", ["-c", "while :; do :; done"], { stdio: "ignore" }));
    try {
      const client = spawn(
        "python3",
        ["-c", CLIENT, String(resolver.port), "3", JSON.stringify(QUERIES)],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      let output = "";
      client.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise((resolve) => client.once("exit", resolve));
      // The fake's event loop held, as a long synchronous step would hold it.
      const blockedFrom = Date.now();
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3500);
      const blockedTo = Date.now();
      await exited;
      const results = JSON.parse(output) as Array<[string, number, number, number, number, string]>;
      const during = results.filter(([, , sent]) => sent >= blockedFrom && sent <= blockedTo);
      const worst = Math.max(...results.map(([, , , ms]) => ms));
      console.log(
        `      ${results.length} queries (${during.length} while blocked): slowest answer ${worst.toFixed(1)} ms`,
      );
      expect(during.length, "queries asked while the main thread was blocked").to.be.at.least(
        QUERIES.length * 5,
      );
      for (const [name, type, , ms, rcode, first] of results) {
        const [, , wantCode, wantAnswer] = QUERIES.find(([n, t]) => n === name && t === type) ?? [];
        expect([name, type, rcode, first]).to.deep.equal([name, type, wantCode, wantAnswer]);
        expect(ms, `${name} type ${type}`).to.be.below(RESOLVER_BOUND_MS);
      }
    } finally {
      for (const hog of hogs) hog.kill("SIGKILL");
      await resolver.stop();
    }
  });
});

/** Whether a UDP datagram to the resolver's address from namespace `ns` is echoed within a second. */
function resolverAnswers(ns: string): boolean {
  const probe = `import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
s.sendto(b"ping", ("${RESOLVER_ADDRESS}", 53))
try: print(s.recv(16).decode())
except socket.timeout: print("no answer")`;
  const result = spawnSync("nsenter", [`--net=/var/run/netns/${ns}`, "python3", "-c", probe], {
    encoding: "utf8",
  });
  return result.stdout.trim() === "ping";
}

describe("rehearsal: the VPC's bridge", function () {
  this.timeout(60_000);

  before(function () {
    requireRehearsalHost(this);
  });

  it("keeps the resolver reachable from the instances when the one whose port gave the bridge its MAC goes", async () => {
    const run = RehearsalRun.create("bridge");
    try {
      const aws = createAwsNetwork(run.id);
      const echo = spawn(
        "nsenter",
        [
          `--net=/var/run/netns/${aws}`,
          "python3",
          "-c",
          `import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("${RESOLVER_ADDRESS}", 53)); print("ready", flush=True)
while True:
    data, peer = s.recvfrom(16); s.sendto(data, peer)`,
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      run.atCleanUp(() => echo.kill("SIGKILL"));
      await new Promise((resolve) => echo.stdout.once("data", resolve));
      const ids = ["i-00000000000000001", "i-00000000000000002", "i-00000000000000003"];
      for (const [n, id] of ids.entries())
        await createInstanceNetwork(run.id, id, `10.0.0.${11 + n}`, VPC_CIDR);
      for (const id of ids)
        expect(resolverAnswers(instanceNamespace(run.id, id)), id).to.equal(true);
      // The port with the lowest MAC: the one a bridge without a MAC of its own takes.
      const mac = (id: string) =>
        spawnSync("ip", ["-n", aws, "-br", "link", "show", `v${id.slice(-12)}`], {
          encoding: "utf8",
        }).stdout.split(/\s+/)[2] ?? "";
      const [lowest, ...others] = [...ids].sort((a, b) => (mac(a) < mac(b) ? -1 : 1));
      await deleteNamespaceAsync(instanceNamespace(run.id, lowest ?? ""));
      for (const id of others)
        expect(resolverAnswers(instanceNamespace(run.id, id)), id).to.equal(true);
    } finally {
      run.cleanUp();
      run.removeFolder();
    }
  });
});
