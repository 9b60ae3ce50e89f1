import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { ENDPOINT_ADDRESS, METADATA_ADDRESS, RESOLVER_ADDRESS } from "../network.js";
import { Api } from "./api.js";
import { AutoScaling } from "./auto-scaling.js";
import { AutoScalingApi } from "./auto-scaling-api.js";
import { CloudFormation } from "./cloudformation.js";
import { CloudFormationApi } from "./cloudformation-api.js";
import { Control } from "./control.js";
import type { ZoneSnapshot } from "./dns.js";
import { Ec2 } from "./ec2.js";
import { Efs } from "./efs.js";
import { Imds } from "./imds.js";
import { PacketFilter } from "./packet-filter.js";
import { endpointNames, makeCertificates } from "./tls.js";
import { VpcResolver } from "./vpc-resolver.js";
import { World, type FakeAwsConfig } from "./world.js";

/*
 * The rehearsal's AWS, one process per run, started inside the run's AWS
 * network namespace (fake-aws-client.ts). It serves the metadata service,
 * the regional endpoints, the VPC's resolver and the EFS mount targets to
 * the nodes, enforces the security groups on the VPC's bridge, and takes
 * orders from the test over a control socket in the run folder (control.ts).
 * It stops, terminating every node, when the test's end of its stdin closes
 * or on SIGTERM.
 */

const config = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as FakeAwsConfig;
const world = new World(config);
const certificates = makeCertificates(join(config.runDir, "tls"), config.region);
const ec2 = new Ec2(world, certificates.ca);
const autoScaling = new AutoScaling(world, ec2);
const cloudFormation = new CloudFormation(world, ec2, autoScaling);
const api = new Api(
  world,
  new CloudFormationApi(cloudFormation),
  new AutoScalingApi(world, autoScaling, ec2),
);
const imds = new Imds(world);
const efs = new Efs(world);
const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();
const control = new Control(world, cloudFormation, autoScaling, ec2, loopDelay);

/** The names the VPC resolver answers now. */
function zoneSnapshot(): ZoneSnapshot {
  const owners = new Map<string, { zone: string; ip: string }[]>();
  for (const target of world.vpc.mountTargets) {
    owners.set(target.fileSystemId, [...(owners.get(target.fileSystemId) ?? []), target]);
  }
  return {
    region: config.region,
    endpoints: endpointNames(config.region, [...world.objects.keys()]),
    endpointAddress: ENDPOINT_ADDRESS,
    instances: [...world.instances.values()]
      .filter((i) => i.state !== "terminated")
      .map((i) => ({ ip: i.ip, zone: i.zone })),
    fileSystems: [...owners].map(([id, mountTargets]) => ({ id, mountTargets })),
  };
}

const filter = new PacketFilter(() => ({
  interfaces: [
    ...[...world.instances.values()]
      .filter((i) => i.state !== "terminated")
      .map((i) => ({ ip: i.ip, groups: i.securityGroups, publicIp: i.publicIp })),
    ...world.vpc.mountTargets.map((t) => ({ ip: t.ip, groups: t.securityGroups })),
  ],
  groups: world.vpc.groups,
}));

let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    autoScaling.stop();
    efs.stop();
    await Promise.all(
      [...world.instances.values()].map((i) => ec2.terminate(i, "the end of the rehearsal")),
    );
  }
  process.exit(code);
}

const errors =
  (handler: (q: IncomingMessage, r: ServerResponse) => void | Promise<void>) =>
  (q: IncomingMessage, r: ServerResponse) => {
    Promise.resolve(handler(q, r)).catch((error: unknown) => {
      console.error("fake-aws:", error);
      if (!r.headersSent) {
        r.writeHead(500, { "content-type": "application/json" });
        r.end(JSON.stringify({ error: String(error) }));
      }
    });
  };

const socket = join(config.runDir, "aws.sock");
rmSync(socket, { force: true });
mkdirSync(join(config.runDir, "instances"), { recursive: true });
// The security groups hold from the start: no interface is open before its rules are in.
await filter.sync();
const resolver = await VpcResolver.start(RESOLVER_ADDRESS, zoneSnapshot());
world.onNetworkChange(async () => {
  await Promise.all([filter.sync(), resolver.update(zoneSnapshot())]);
});
await Promise.all([
  new Promise<void>((resolve) =>
    createServer(errors((q, r) => imds.serve(q, r))).listen(80, METADATA_ADDRESS, resolve),
  ),
  new Promise<void>((resolve) =>
    createTlsServer(
      { key: certificates.key, cert: certificates.cert },
      errors((q, r) => api.serve(q, r)),
    ).listen(443, ENDPOINT_ADDRESS, resolve),
  ),
  new Promise<void>((resolve) =>
    createServer(errors((q, r) => control.serve(q, r))).listen(socket, resolve),
  ),
  efs.start(),
]);
autoScaling.start();
process.stdin.on("close", () => void shutdown(0));
process.stdin.resume();
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const)
  process.on(signal, () => void shutdown(0));
console.log("fake-aws: ready");
