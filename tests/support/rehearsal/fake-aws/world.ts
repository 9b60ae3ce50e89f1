import { randomBytes } from "node:crypto";
import type { RunningNode } from "../node-container.js";
import type { PolicyDocument, Role } from "./iam.js";
import { Vpc, type DeploymentSeed } from "./vpc.js";

/*
 * The fake AWS's state: its configuration, the deployment's VPC, instances,
 * roles, secrets, S3 objects, injected faults and the record of every call.
 * The services (ec2.ts, auto-scaling.ts, cloudformation.ts, api.ts, imds.ts,
 * efs.ts) act on it.
 */

/** What the test tells the fake when it starts it (written to a JSON file). */
export interface FakeAwsConfig {
  readonly runId: string;
  readonly runDir: string;
  readonly region: string;
  readonly accountId: string;
  /** Real seconds per simulated minute: scales the fake's own delays (launch retries, signal timeouts). */
  readonly secondsPerMinute: number;
  /** Lines the rehearsal adds to every node's /etc/flightdeck/boot.env (the time-compression seam). */
  readonly bootEnv: Readonly<Record<string, string>>;
  /** The spot market price (USD/hour) at the start. */
  readonly spotPrice: number;
  /** Managed policies the account holds, by ARN: the deployment's permissions boundary. */
  readonly managedPolicies: Readonly<Record<string, PolicyDocument>>;
  /** What the deployment built: the shared network, its parameters and the users' homes. */
  readonly deployment: DeploymentSeed;
}

/** Something to go wrong on the next instance(s) of a kind. */
export type FaultKind = "customizer-fails" | "munge-mismatch";

export interface InstanceFaults {
  customizerExit?: number;
  mungeMismatch?: boolean;
}

export type InstanceState = "pending" | "running" | "shutting-down" | "terminated";

/** How an instance is bought. */
export type Market = "spot" | "on-demand";

/**
 * A limit on a capacity pool (a market, type and zone; each left out matches
 * any): at most `limit` live instances of the pool, until `until` (epoch ms)
 * if set. 0 is no capacity at all. A launch the limit refuses fails with
 * InsufficientInstanceCapacity, as EC2 reports it.
 */
export interface CapacityRule {
  readonly market?: Market;
  readonly type?: string;
  readonly zone?: string;
  readonly limit: number;
  readonly until?: number;
}

export interface Instance {
  readonly id: string;
  readonly kind: "master" | "compute";
  readonly ip: string;
  readonly publicIp: string | undefined;
  readonly subnetId: string;
  readonly zone: string;
  readonly securityGroups: readonly string[];
  readonly instanceType: string;
  readonly market: Market;
  readonly role: Role;
  readonly tags: Map<string, string>;
  readonly metadataTags: boolean;
  readonly launchedAt: number;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly token: string;
  readonly netns: string;
  readonly dir: string;
  readonly faults: InstanceFaults;
  /** The Auto Scaling group that launched it, if any. */
  readonly group: string | undefined;
  state: InstanceState;
  terminatedAt?: number;
  /** Why it ended: e.g. the stack resource whose deletion terminated it. */
  terminatedBy?: string;
  /** When EC2 reclaims it (epoch ms): its metadata carries the interruption notice from now. */
  interruptionAt?: number;
  /** When EC2 recommended rebalancing it (epoch ms). */
  rebalanceAt?: number;
  node?: RunningNode;
  /** Settles once the instance's network and machine are up (or it was terminated first). */
  launched?: Promise<void>;
}

/** One call a node made, as CloudTrail would show it, with IAM's decision. */
export interface CallRecord {
  readonly time: number;
  readonly instanceId: string;
  readonly service: string;
  readonly action: string;
  readonly resource: string;
  readonly decision: string;
  readonly error?: string;
}

export class World {
  readonly vpc: Vpc;
  readonly instances = new Map<string, Instance>();
  readonly roles = new Map<string, Role>();
  /** Secrets by ARN. */
  readonly secrets = new Map<string, { name: string; value: string }>();
  /** S3 objects by bucket, then key. */
  readonly objects = new Map<string, Map<string, Buffer>>();
  readonly calls: CallRecord[] = [];
  readonly pendingFaults: Array<{ kind: FaultKind; target: "master" | "compute"; exit?: number }> =
    [];
  /** Launch failures to inject, as AWS would report them. */
  readonly launchErrors: Array<{ code: string; message: string; remaining: number }> = [];
  /** The spot market price, USD/hour, for every instance type (the test can move it). */
  spotPrice: number;
  /** Spot prices of particular types, over {@link spotPrice}. */
  readonly spotPrices = new Map<string, number>();
  /** Limits on capacity pools (the test adds and clears them). */
  capacityRules: CapacityRule[] = [];
  private nextPublicAddress = 10;
  /** Brings the packet filter and the resolver up to date (main.ts sets it). */
  private networkHook: () => Promise<void> = () => Promise.resolve();

  constructor(readonly config: FakeAwsConfig) {
    this.spotPrice = config.spotPrice;
    this.vpc = new Vpc(config.deployment);
  }

  /** Sets what {@link networkChanged} runs. */
  onNetworkChange(hook: () => Promise<void>): void {
    this.networkHook = hook;
  }

  /**
   * Applies a change of the network (an instance, a group or a rule came or
   * went) to the packet filter and the resolver; resolves once both have it.
   */
  networkChanged(): Promise<void> {
    return this.networkHook();
  }

  /** {@link networkChanged} for a change nothing waits on: a failure is reported, loudly. */
  noteNetworkChange(): void {
    this.networkChanged().catch((error: unknown) =>
      console.error("fake-aws: the packet filter or the resolver did not take a change:", error),
    );
  }

  /** The live instances carrying security group `groupId`. */
  interfacesWith(groupId: string): string[] {
    return [...this.instances.values()]
      .filter((i) => i.state !== "terminated" && i.securityGroups.includes(groupId))
      .map((i) => i.id);
  }

  /** Real milliseconds for `minutes` simulated minutes. */
  minutes(minutes: number): number {
    return minutes * this.config.secondsPerMinute * 1000;
  }

  /** An id like AWS's: `prefix-` and 17 hex digits. */
  id(prefix: string): string {
    return `${prefix}-${randomBytes(9).toString("hex").slice(0, 17)}`;
  }

  /** The next public address (the internet gateway translates it to the instance's private one). */
  allocatePublicAddress(): string {
    const n = this.nextPublicAddress;
    this.nextPublicAddress += 1;
    return `203.0.113.${n}`;
  }

  /** The live instance with this address, or undefined. */
  instanceAt(ip: string): Instance | undefined {
    return [...this.instances.values()].find((i) => i.ip === ip && i.state !== "terminated");
  }

  instanceWithKey(accessKeyId: string): Instance | undefined {
    return [...this.instances.values()].find((i) => i.accessKeyId === accessKeyId);
  }

  /** The spot price of a type, USD/hour. */
  spotPriceOf(type: string): number {
    return this.spotPrices.get(type) ?? this.spotPrice;
  }

  /** Whether a capacity rule in force covers a pool. */
  covers(rule: CapacityRule, market: Market, type: string, zone: string): boolean {
    return (
      (rule.until === undefined || Date.now() < rule.until) &&
      (rule.market === undefined || rule.market === market) &&
      (rule.type === undefined || rule.type === type) &&
      (rule.zone === undefined || rule.zone === zone)
    );
  }

  /** The capacity rule that leaves a pool no room for one more instance, if any. */
  capacityRefusal(market: Market, type: string, zone: string): CapacityRule | undefined {
    const live = [...this.instances.values()].filter(
      (i) => i.state !== "terminated" && i.state !== "shutting-down" && i.kind === "compute",
    );
    return this.capacityRules.find(
      (rule) =>
        this.covers(rule, market, type, zone) &&
        live.filter((i) =>
          this.covers({ ...rule, until: undefined }, i.market, i.instanceType, i.zone),
        ).length >= rule.limit,
    );
  }

  /** Takes the faults waiting for the next instance of this kind. */
  faultsFor(kind: "master" | "compute"): InstanceFaults {
    const faults: InstanceFaults = {};
    const index = this.pendingFaults.findIndex((f) => f.target === kind);
    if (index < 0) return faults;
    const [fault] = this.pendingFaults.splice(index, 1);
    if (fault?.kind === "customizer-fails") faults.customizerExit = fault.exit ?? 3;
    if (fault?.kind === "munge-mismatch") faults.mungeMismatch = true;
    return faults;
  }
}
