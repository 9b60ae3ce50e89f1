import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { join } from "node:path";
import { ENDPOINT_ADDRESS, METADATA_ADDRESS, SUBNET } from "../network.js";
import { Api } from "./api.js";
import { AutoScaling } from "./auto-scaling.js";
import { CloudFormation } from "./cloudformation.js";
import { Ec2 } from "./ec2.js";
import { Imds } from "./imds.js";
import { serveDns } from "./dns.js";
import { bodyOf } from "./protocol.js";
import { endpointNames, makeCertificates } from "./tls.js";
import { World, type FakeAwsConfig, type FaultKind } from "./world.js";

/*
 * The rehearsal's AWS, one process per run, started inside the run's AWS
 * network namespace (fake-aws-client.ts). It serves the metadata service
 * and the regional endpoints to the nodes, and takes orders from the test
 * over a control socket in the run folder (HTTP, JSON): create and delete
 * stacks, put S3 objects, set the spot price, inject faults, and report
 * instances, scaling activities, calls and signals. It stops, terminating
 * every node, when the test's end of its stdin closes or on SIGTERM.
 */

const config = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as FakeAwsConfig;
const world = new World(config);
const certificates = makeCertificates(join(config.runDir, "tls"), config.region);
const ec2 = new Ec2(world, certificates.ca);
const autoScaling = new AutoScaling(world, ec2);
const cloudFormation = new CloudFormation(world, ec2, autoScaling);
const api = new Api(world, cloudFormation, autoScaling);
const imds = new Imds(world);

/** What the VPC resolver answers: instances' private names and the AWS endpoints. */
function resolveName(name: string): string | undefined {
  const privateName = new RegExp(
    `^ip-(\\d+)-(\\d+)-(\\d+)-(\\d+)\\.${config.region}\\.compute\\.internal$`,
  ).exec(name);
  if (privateName !== null) {
    const ip = privateName.slice(1, 5).join(".");
    return world.instanceAt(ip) === undefined ? undefined : ip;
  }
  return endpointNames(config.region, [...world.objects.keys()]).includes(name)
    ? ENDPOINT_ADDRESS
    : undefined;
}

function json(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}

function report() {
  return {
    instances: [...world.instances.values()].map((i) => ({
      id: i.id,
      kind: i.kind,
      ip: i.ip,
      state: i.state,
      instanceType: i.instanceType,
      tags: Object.fromEntries(i.tags),
      launchedAt: i.launchedAt,
      terminatedAt: i.terminatedAt,
      terminatedBy: i.terminatedBy,
      group: i.group,
      faults: i.faults,
      initPid: i.state === "terminated" ? undefined : i.node?.initPid(),
      dir: i.dir,
    })),
    groups: [...autoScaling.groups.values()].map((g) => ({
      name: g.name,
      desired: g.desired,
      min: g.minSize,
      max: g.maxSize,
    })),
    activities: autoScaling.activities,
    calls: world.calls,
    stacks: cloudFormation.stacks.map((s) => ({
      id: s.id,
      name: s.name,
      status: s.status,
      reason: s.reason,
      events: s.events,
      signals: s.signals,
      outputs: s.outputs,
    })),
  };
}

async function control(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = (await bodyOf(request)).toString("utf8");
  const input = (body === "" ? {} : JSON.parse(body)) as Record<string, unknown>;
  const route = `${request.method} ${request.url}`;
  try {
    if (route === "GET /report") return json(response, 200, report());
    if (route === "POST /stacks") {
      const stack = cloudFormation.create(
        String(input["name"]),
        input["template"] as Record<string, unknown>,
        input["parameters"] as Record<string, string>,
      );
      return json(response, 200, { id: stack.id });
    }
    if (route === "POST /stacks/delete")
      return json(response, 200, { status: cloudFormation.delete(String(input["name"])).status });
    if (route === "POST /buckets") {
      world.objects.set(
        String(input["bucket"]),
        world.objects.get(String(input["bucket"])) ?? new Map(),
      );
      return json(response, 200, {});
    }
    if (route === "POST /objects") {
      const bucket = world.objects.get(String(input["bucket"]));
      if (bucket === undefined) return json(response, 404, { error: "no such bucket" });
      bucket.set(String(input["key"]), Buffer.from(String(input["body"])));
      return json(response, 200, {});
    }
    if (route === "POST /objects/list") {
      const bucket = world.objects.get(String(input["bucket"]));
      if (bucket === undefined) return json(response, 404, { error: "no such bucket" });
      const prefix = String(input["prefix"] ?? "");
      const found = [...bucket.entries()].filter(([key]) => key.startsWith(prefix));
      return json(response, 200, {
        objects: Object.fromEntries(found.map(([key, value]) => [key, value.toString("utf8")])),
      });
    }
    if (route === "POST /spot-price") {
      world.spotPrice = Number(input["price"]);
      return json(response, 200, {});
    }
    if (route === "POST /faults") {
      world.pendingFaults.push({
        kind: input["kind"] as FaultKind,
        target: input["target"] as "master" | "compute",
        ...(input["exit"] === undefined ? {} : { exit: Number(input["exit"]) }),
      });
      return json(response, 200, {});
    }
    if (route === "POST /launch-errors") {
      world.launchErrors.push({
        code: String(input["code"]),
        message: String(input["message"]),
        remaining: Number(input["count"] ?? 1),
      });
      return json(response, 200, {});
    }
    return json(response, 404, { error: `no route ${route}` });
  } catch (error) {
    return json(response, 500, { error: String(error) });
  }
}

let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    autoScaling.stop();
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
      if (!r.headersSent) json(r, 500, { error: String(error) });
    });
  };

const socket = join(config.runDir, "aws.sock");
rmSync(socket, { force: true });
mkdirSync(join(config.runDir, "instances"), { recursive: true });
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
  new Promise<void>((resolve) => createServer(errors(control)).listen(socket, resolve)),
  serveDns(SUBNET.dns, {
    address: resolveName,
    name: (ip) =>
      world.instanceAt(ip) === undefined
        ? undefined
        : `ip-${ip.replaceAll(".", "-")}.${config.region}.compute.internal`,
  }),
]);
autoScaling.start();
process.stdin.on("close", () => void shutdown(0));
process.stdin.resume();
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const)
  process.on(signal, () => void shutdown(0));
console.log("fake-aws: ready");
