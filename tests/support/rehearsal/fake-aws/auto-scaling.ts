import { randomUUID } from "node:crypto";
import { QueryError } from "../../query-protocol.js";
import type { Ec2, LaunchSpec } from "./ec2.js";
import { isoTime } from "./protocol.js";
import type { Instance, Market, World } from "./world.js";

/*
 * EC2 Auto Scaling, as far as FlightDeck's clusters use it: a group keeps
 * its desired capacity of instances (between MinSize and MaxSize), launching
 * from its launch template, and retrying failed launches every simulated
 * minute, as the real service keeps retrying; each launch and termination is
 * a scaling activity. An instance that goes without the group asking (a spot
 * reclaim) is replaced, as the real group does.
 *
 * A group with a mixed instances policy launches any of its types
 * (overrides) in any of its subnets: one pool per type and zone. Each launch
 * takes the pool AWS's allocation would: for spot (price-capacity-optimized)
 * the cheapest pool at or below the group's SpotMaxPrice, for on-demand
 * (lowest-price) the first type, then the zone and the pool with fewest of
 * the group's instances. A pool without capacity (world.ts's capacity
 * rules) fails the launch with InsufficientInstanceCapacity, and the group
 * avoids the pools that limit covers for a while, as AWS's allocation learns
 * pools are short; the next attempt takes the next pool. Whether AWS instead fills from
 * another pool within the same activity is what only AWS can say; this one
 * fails first, the harder case for the master. A spot group whose SpotMaxPrice
 * is below every type's market price fails the way AWS reports it. Its Query
 * API is auto-scaling-api.ts.
 */

/** How long a group keeps out of a pool that had no capacity, in simulated minutes. */
const SHORT_POOL_MINUTES = 10;

export interface Activity {
  readonly id: string;
  readonly group: string;
  readonly description: string;
  readonly cause: string;
  readonly start: number;
  end?: number;
  status: "InProgress" | "Successful" | "Failed";
  message?: string;
}

export interface Group {
  readonly name: string;
  readonly arn: string;
  readonly minSize: number;
  readonly maxSize: number;
  desired: number;
  readonly launch: Omit<LaunchSpec, "group" | "subnetId" | "instanceType" | "market">;
  /** Its VPCZoneIdentifier: the subnets it launches into. */
  readonly subnetIds: readonly string[];
  /** The types it may launch: its overrides, or the launch template's one type. */
  readonly instanceTypes: readonly string[];
  /** What it buys: spot (OnDemandPercentageAboveBaseCapacity 0) or on-demand. */
  readonly market: Market;
  /** The most it pays for spot, when it set one (else up to the on-demand price). */
  readonly spotMaxPrice: number | undefined;
  readonly created: number;
  deleting: boolean;
  nextLaunch: number;
}

export class AutoScaling {
  readonly groups = new Map<string, Group>();
  readonly activities: Activity[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly world: World,
    private readonly ec2: Ec2,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), 250);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Pools (type and subnet) a group keeps out of until a time, by group. */
  private readonly shortPools = new Map<string, Map<string, number>>();

  create(group: Omit<Group, "arn" | "created" | "deleting" | "nextLaunch">): Group {
    const { region, accountId } = this.world.config;
    if (group.subnetIds.length === 0)
      throw new QueryError(
        "ValidationError",
        "No default VPC for this user: give VPCZoneIdentifier.",
      );
    for (const id of group.subnetIds) this.world.vpc.subnet(id);
    const created: Group = {
      ...group,
      arn: `arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${group.name}`,
      created: Date.now(),
      deleting: false,
      nextLaunch: 0,
    };
    this.groups.set(group.name, created);
    return created;
  }

  /** The group's instances that are not terminated. */
  members(group: Group): Instance[] {
    return [...this.world.instances.values()].filter(
      (i) => i.group === group.name && i.state !== "terminated",
    );
  }

  /** Records a scaling activity, in progress. */
  activity(group: Group, description: string, cause: string): Activity {
    const activity: Activity = {
      id: randomUUID(),
      group: group.name,
      description,
      cause,
      start: Date.now(),
      status: "InProgress",
    };
    this.activities.unshift(activity);
    return activity;
  }

  finish(activity: Activity, status: Activity["status"], message?: string): void {
    activity.status = status;
    activity.end = Date.now();
    if (message !== undefined) activity.message = message;
  }

  /** Keeps every group at its desired capacity. */
  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const group of this.groups.values()) {
        if (group.deleting) continue;
        const live = this.members(group).filter((i) => i.state !== "shutting-down");
        if (live.length < group.desired && Date.now() >= group.nextLaunch) {
          this.launch(group, group.desired - live.length);
        } else if (live.length > group.desired) {
          // The default termination policy picks; FlightDeck never lets it choose a busy node.
          for (const victim of live.slice(group.desired)) {
            const activity = this.activity(
              group,
              `Terminating EC2 instance: ${victim.id}`,
              `At ${isoTime(Date.now())} a user request update of AutoScalingGroup constraints changed the desired capacity to ${group.desired}.`,
            );
            await this.ec2.terminate(victim, `Auto Scaling group ${group.name} (desired capacity)`);
            this.finish(activity, "Successful");
          }
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private launch(group: Group, count: number): void {
    const cause = `At ${isoTime(Date.now())} an instance was started in response to a difference between desired and actual capacity, increasing the capacity to ${group.desired}.`;
    const fail = (problem: string) => {
      const activity = this.activity(
        group,
        "Launching a new EC2 instance.  Status Reason: " + problem,
        cause,
      );
      this.finish(activity, "Failed", `${problem} Launching EC2 instance failed.`);
      // The real service retries failed launches, backing off; here once a simulated minute.
      group.nextLaunch = Date.now() + this.world.minutes(1);
    };
    for (let i = 0; i < count; i += 1) {
      const problem = this.launchProblem();
      if (problem !== undefined) return fail(problem);
      const pool = this.nextPool(group);
      if (typeof pool === "string") return fail(pool);
      const refusal = this.world.capacityRefusal(group.market, pool.type, pool.zone);
      if (refusal !== undefined) {
        // AWS's allocation learns the pools are short: every pool of the group the limit covers.
        for (const type of group.instanceTypes) {
          for (const subnetId of group.subnetIds) {
            const zone = this.world.vpc.subnet(subnetId).zone;
            if (this.world.covers(refusal, group.market, type, zone))
              this.avoid(group, `${type}/${zone}`);
          }
        }
        return fail(
          group.market === "spot"
            ? "Could not launch Spot Instances. InsufficientInstanceCapacity - There is no Spot capacity available that matches your request."
            : `Could not launch On-Demand Instances. InsufficientInstanceCapacity - We currently do not have sufficient ${pool.type} capacity in the Availability Zone you requested (${pool.zone}). Our system will be working on provisioning additional capacity.`,
        );
      }
      let instance: Instance;
      try {
        instance = this.ec2.launch({
          ...group.launch,
          instanceType: pool.type,
          market: group.market,
          group: group.name,
          subnetId: pool.subnetId,
        });
      } catch (error) {
        return fail(
          error instanceof QueryError ? `${error.code}: ${error.message}` : String(error),
        );
      }
      const activity = this.activity(group, `Launching a new EC2 instance: ${instance.id}`, cause);
      this.finish(activity, "Successful");
    }
  }

  private avoid(group: Group, pool: string): void {
    const short = this.shortPools.get(group.name) ?? new Map<string, number>();
    short.set(pool, Date.now() + this.world.minutes(SHORT_POOL_MINUTES));
    this.shortPools.set(group.name, short);
  }

  /**
   * The pool the group's allocation takes next, or why none will do: for
   * spot, the pools at or below its SpotMaxPrice, cheapest first; then the
   * zone, then the pool, with fewest of its instances; then the overrides'
   * order. Pools that were short lately come last.
   */
  private nextPool(
    group: Group,
  ): { type: string; subnetId: string; zone: string; key: string } | string {
    const members = this.members(group).filter((i) => i.state !== "shutting-down");
    const price = (type: string) => (group.market === "spot" ? this.world.spotPriceOf(type) : 0);
    const types = group.instanceTypes.filter(
      (type) =>
        group.market !== "spot" ||
        group.spotMaxPrice === undefined ||
        price(type) <= group.spotMaxPrice,
    );
    if (types.length === 0) {
      const market = Math.min(...group.instanceTypes.map(price));
      return `Could not launch Spot Instances. SpotMaxPriceTooLow - Your Spot request price of ${group.spotMaxPrice} is lower than the minimum required Spot request fulfillment price of ${market}.`;
    }
    const short = this.shortPools.get(group.name) ?? new Map<string, number>();
    const now = Date.now();
    const pools = types.flatMap((type) =>
      group.subnetIds.map((subnetId) => {
        const zone = this.world.vpc.subnet(subnetId).zone;
        return { type, subnetId, zone, key: `${type}/${zone}` };
      }),
    );
    const inZone = (zone: string) => members.filter((i) => i.zone === zone).length;
    const inPool = (type: string, zone: string) =>
      members.filter((i) => i.zone === zone && i.instanceType === type).length;
    const rank = (pool: (typeof pools)[number]) => [
      (short.get(pool.key) ?? 0) > now ? 1 : 0,
      price(pool.type),
      inZone(pool.zone),
      inPool(pool.type, pool.zone),
      group.instanceTypes.indexOf(pool.type),
      group.subnetIds.indexOf(pool.subnetId),
    ];
    const sorted = [...pools].sort((a, b) => {
      const [ra, rb] = [rank(a), rank(b)];
      for (let k = 0; k < ra.length; k += 1) {
        const d = (ra[k] ?? 0) - (rb[k] ?? 0);
        if (d !== 0) return d;
      }
      return 0;
    });
    return sorted[0] ?? "No subnet to launch into.";
  }

  private launchProblem(): string | undefined {
    const injected = this.world.launchErrors[0];
    if (injected !== undefined) {
      injected.remaining -= 1;
      if (injected.remaining <= 0) this.world.launchErrors.shift();
      return `${injected.code}: ${injected.message}`;
    }
    return undefined;
  }

  /** Deletes a group as CloudFormation does: no more launches, every instance terminated. */
  async delete(name: string, by: string): Promise<Instance[]> {
    const group = this.groups.get(name);
    if (group === undefined) return [];
    group.deleting = true;
    group.desired = 0;
    const victims = this.members(group);
    await Promise.all(victims.map((instance) => this.ec2.terminate(instance, by)));
    this.groups.delete(name);
    return victims;
  }
}
