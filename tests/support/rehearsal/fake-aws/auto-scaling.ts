import { randomUUID } from "node:crypto";
import type { Ec2, LaunchSpec } from "./ec2.js";
import { AwsError, isoTime } from "./protocol.js";
import type { Instance, World } from "./world.js";

/*
 * EC2 Auto Scaling, as far as FlightDeck's clusters use it: a group keeps
 * its desired capacity of instances (between MinSize and MaxSize), launching
 * from its launch template into its subnets (the zone with fewest of its
 * instances first) and retrying failed launches every simulated minute, as
 * the real service keeps retrying; each launch and termination is a scaling
 * activity. A spot launch template whose MaxPrice is below the market price
 * fails the way AWS reports it. Its Query API is auto-scaling-api.ts.
 */

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
  readonly launch: Omit<LaunchSpec, "group" | "subnetId">;
  /** Its VPCZoneIdentifier: the subnets it launches into. */
  readonly subnetIds: readonly string[];
  /** The launch template's spot MaxPrice, when it asks for spot. */
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

  create(group: Omit<Group, "arn" | "created" | "deleting" | "nextLaunch">): Group {
    const { region, accountId } = this.world.config;
    if (group.subnetIds.length === 0)
      throw new AwsError(
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
    for (let i = 0; i < count; i += 1) {
      const problem = this.launchProblem(group);
      if (problem !== undefined) {
        const activity = this.activity(
          group,
          "Launching a new EC2 instance.  Status Reason: " + problem,
          cause,
        );
        this.finish(activity, "Failed", `${problem} Launching EC2 instance failed.`);
        // The real service retries failed launches, backing off; here once a simulated minute.
        group.nextLaunch = Date.now() + this.world.minutes(1);
        return;
      }
      let instance: Instance;
      try {
        instance = this.ec2.launch({
          ...group.launch,
          group: group.name,
          subnetId: this.nextSubnet(group),
        });
      } catch (error) {
        const problem =
          error instanceof AwsError ? `${error.code}: ${error.message}` : String(error);
        const activity = this.activity(
          group,
          `Launching a new EC2 instance.  Status Reason: ${problem}`,
          cause,
        );
        this.finish(activity, "Failed", `${problem} Launching EC2 instance failed.`);
        group.nextLaunch = Date.now() + this.world.minutes(1);
        return;
      }
      const activity = this.activity(group, `Launching a new EC2 instance: ${instance.id}`, cause);
      this.finish(activity, "Successful");
    }
  }

  /** The group's subnet whose zone holds fewest of its instances, as Auto Scaling balances zones. */
  private nextSubnet(group: Group): string {
    const members = this.members(group);
    const load = (id: string) => members.filter((i) => i.subnetId === id).length;
    return [...group.subnetIds].sort((a, b) => load(a) - load(b))[0] ?? "";
  }

  private launchProblem(group: Group): string | undefined {
    const injected = this.world.launchErrors[0];
    if (injected !== undefined) {
      injected.remaining -= 1;
      if (injected.remaining <= 0) this.world.launchErrors.shift();
      return `${injected.code}: ${injected.message}`;
    }
    const market = this.world.spotPrice;
    if (group.spotMaxPrice !== undefined && group.spotMaxPrice < market) {
      return `Could not launch Spot Instances. SpotMaxPriceTooLow - Your Spot request price of ${group.spotMaxPrice} is lower than the minimum required Spot request fulfillment price of ${market}.`;
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
