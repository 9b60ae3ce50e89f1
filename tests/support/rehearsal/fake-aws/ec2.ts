import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  createInstanceNetwork,
  deleteNamespaceAsync,
  instanceNamespace,
  RESOLVER_ADDRESS,
} from "../network.js";
import { startNode, stopNode } from "../node-container.js";
import type { Role } from "./iam.js";
import type { Instance, Market, World } from "./world.js";

/*
 * EC2 instances of the fake: launching one gives it an address in its subnet
 * and its security groups, puts both in the packet filter and the resolver,
 * then starts a rehearsal node that runs its real user data; terminating one
 * kills it and takes it out of both. What an AMI and EC2's network give an
 * instance is written into its image: its host name, the VPC resolver
 * (dns.ts: it knows the AWS endpoints are the fake) and the fake's CA among
 * the trusted certificates.
 */

export interface LaunchSpec {
  readonly kind: "master" | "compute";
  readonly role: Role;
  /** The user data as EC2 hands it to cloud-init (decoded from base64). */
  readonly userData: string;
  readonly instanceType: string;
  /** Spot or on-demand (the master is always on-demand). */
  readonly market: Market;
  readonly tags: Readonly<Record<string, string>>;
  /** MetadataOptions.InstanceMetadataTags is enabled. */
  readonly metadataTags: boolean;
  readonly publicIp: boolean;
  readonly subnetId: string;
  readonly securityGroupIds: readonly string[];
  readonly group?: string;
}

const BOOT_ENV_END = "\nFLIGHTDECK_EOF\n";

/** How long a launched instance stays pending before its machine boots. */
const PENDING_MS = 2000;

/**
 * The rehearsal's boot.env seam: the user data's header writes
 * /etc/flightdeck/boot.env from a here-document; the rehearsal's extra
 * values (time compression) go in just before its end.
 */
function withRehearsalBootEnv(userData: string, extra: Readonly<Record<string, string>>): string {
  const end = userData.indexOf(BOOT_ENV_END);
  if (end < 0) throw new Error("the user data writes no boot.env here-document");
  const lines = Object.entries(extra).map(([name, value]) => `\n${name}='${value}'`);
  return userData.slice(0, end) + lines.join("") + userData.slice(end);
}

export class Ec2 {
  constructor(
    private readonly world: World,
    private readonly caCertificate: string,
  ) {}

  /** Launches an instance: its namespace, its image, then its boot. */
  launch(spec: LaunchSpec): Instance {
    const { world } = this;
    const subnet = world.vpc.subnet(spec.subnetId);
    world.vpc.checkGroups(spec.securityGroupIds);
    const id = world.id("i");
    const ip = world.vpc.allocateAddress(subnet);
    const hostname = `ip-${ip.replaceAll(".", "-")}`;
    const dir = join(world.config.runDir, "instances", id);
    const netns = instanceNamespace(world.config.runId, id);
    const instance: Instance = {
      id,
      kind: spec.kind,
      ip,
      publicIp: spec.publicIp ? world.allocatePublicAddress() : undefined,
      subnetId: subnet.id,
      zone: subnet.zone,
      securityGroups: [...spec.securityGroupIds],
      instanceType: spec.instanceType,
      market: spec.market,
      role: spec.role,
      tags: new Map(Object.entries(spec.tags)),
      metadataTags: spec.metadataTags,
      launchedAt: Date.now(),
      accessKeyId: `ASIA${randomBytes(8).toString("hex").toUpperCase()}`,
      secretAccessKey: randomBytes(20).toString("base64"),
      token: randomBytes(32).toString("base64"),
      netns,
      dir,
      faults: world.faultsFor(spec.kind),
      group: spec.group,
      state: "pending",
    };
    world.instances.set(id, instance);
    const region = world.config.region;
    const files = {
      "var/lib/cloud/instance/user-data.txt": withRehearsalBootEnv(
        spec.userData,
        world.config.bootEnv,
      ),
      "etc/hostname": `${hostname}\n`,
      "etc/hosts": "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n",
      "etc/resolv.conf": `nameserver ${RESOLVER_ADDRESS}\nsearch ${region}.compute.internal\n`,
      "etc/ssl/certs/ca-certificates.crt":
        readFileSync("/etc/ssl/certs/ca-certificates.crt", "utf8") + this.caCertificate,
    };
    // Pending, then running: as on EC2 the machine boots a moment after the
    // launch (Slurm only accepts a resumed node that booted after its resume).
    const pending = new Promise((resolve) => setTimeout(resolve, PENDING_MS));
    // Its address is in the packet filter and the resolver before its machine boots.
    instance.launched = createInstanceNetwork(world.config.runId, id, ip, subnet.cidr)
      .then(() => Promise.all([world.networkChanged(), pending]))
      .then(() => {
        if (instance.state !== "pending") return;
        instance.node = startNode({ dir, netns, files });
        instance.state = "running";
      })
      .catch((error: unknown) => {
        console.error(`fake-aws: ${id} did not start:`, error);
      });
    return instance;
  }

  /**
   * EC2 reclaims a spot instance: its metadata carries the interruption
   * notice (spot/instance-action) from now, and it is terminated `noticeMs`
   * later (two minutes on AWS), whatever its group or its node is doing.
   * A notice of 0 takes it at once, as a reclaim nobody saw coming.
   */
  reclaim(instance: Instance, noticeMs: number): void {
    if (instance.state === "terminated" || instance.state === "shutting-down") return;
    instance.interruptionAt = Date.now() + noticeMs;
    setTimeout(() => {
      void this.terminate(instance, "EC2 (spot interruption)");
    }, noticeMs).unref();
  }

  /** EC2 recommends rebalancing: the instance is at higher risk of a reclaim. */
  recommendRebalance(instance: Instance): void {
    instance.rebalanceAt = Date.now();
  }

  /** Terminates an instance: its node and namespace go. */
  async terminate(instance: Instance, by: string): Promise<void> {
    const { world } = this;
    if (instance.state === "terminated" || instance.state === "shutting-down") return;
    instance.state = "shutting-down";
    instance.terminatedBy = by;
    await instance.launched;
    if (instance.node !== undefined) await stopNode(instance.node);
    await deleteNamespaceAsync(instance.netns);
    instance.state = "terminated";
    instance.terminatedAt = Date.now();
    await world
      .networkChanged()
      .catch((error: unknown) =>
        console.error(`fake-aws: ${instance.id} is not out of the packet filter:`, error),
      );
  }
}
