import { randomUUID } from "node:crypto";
import type { Ec2, LaunchSpec } from "./ec2.js";
import { AwsError, isoTime, listParameter, members, tag } from "./protocol.js";
import type { Instance, World } from "./world.js";

/*
 * EC2 Auto Scaling, as far as FlightDeck's clusters use it: a group keeps
 * its desired capacity of instances (between MinSize and MaxSize), launching
 * from its launch template and retrying failed launches every simulated
 * minute, as the real service keeps retrying; each launch and termination is
 * a scaling activity. A spot launch template whose MaxPrice is below the
 * market price fails the way AWS reports it.
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
  readonly launch: Omit<LaunchSpec, "group">;
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

  private activity(group: Group, description: string, cause: string): Activity {
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

  private finish(activity: Activity, status: Activity["status"], message?: string): void {
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
      const instance = this.ec2.launch({ ...group.launch, group: group.name });
      const activity = this.activity(group, `Launching a new EC2 instance: ${instance.id}`, cause);
      this.finish(activity, "Successful");
    }
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

  // ---- the API ----

  private group(name: string | null): Group {
    const group = name === null ? undefined : this.groups.get(name);
    if (group === undefined || group.deleting) {
      throw new AwsError(
        "ValidationError",
        `AutoScalingGroup name not found - AutoScalingGroup ${name} not found`,
      );
    }
    return group;
  }

  /** The ARN IAM authorizes a call against, and its resource tags. */
  resourceOf(
    action: string,
    params: URLSearchParams,
  ): { arn: string; tags: Record<string, string> } {
    if (action.startsWith("Describe")) return { arn: "*", tags: {} };
    let name = params.get("AutoScalingGroupName");
    if (action === "TerminateInstanceInAutoScalingGroup") {
      name = this.world.instances.get(params.get("InstanceId") ?? "")?.group ?? null;
    }
    const group = name === null ? undefined : this.groups.get(name);
    return {
      arn:
        group?.arn ??
        `arn:aws:autoscaling:${this.world.config.region}:${this.world.config.accountId}:autoScalingGroup:*:autoScalingGroupName/${name}`,
      tags: {},
    };
  }

  handle(action: string, params: URLSearchParams): string {
    switch (action) {
      case "DescribeAutoScalingGroups":
        return this.describeGroups(listParameter(params, "AutoScalingGroupNames"));
      case "DescribeScalingActivities":
        return this.describeActivities(params);
      case "SetDesiredCapacity":
        return this.setDesired(params);
      case "TerminateInstanceInAutoScalingGroup":
        return this.terminate(params);
      default:
        throw new AwsError(
          "InvalidAction",
          `The action ${action} is not valid for this web service.`,
        );
    }
  }

  private describeGroups(names: string[]): string {
    const groups = [...this.groups.values()].filter(
      (g) => !g.deleting && (names.length === 0 || names.includes(g.name)),
    );
    const items = groups.map((g) => {
      const instances = this.members(g).map(
        (i) =>
          tag("InstanceId", i.id) +
          tag("InstanceType", i.instanceType) +
          tag("AvailabilityZone", `${this.world.config.region}a`) +
          tag(
            "LifecycleState",
            i.state === "shutting-down"
              ? "Terminating"
              : i.state === "pending"
                ? "Pending"
                : "InService",
          ) +
          tag("HealthStatus", "Healthy") +
          tag("ProtectedFromScaleIn", false),
      );
      return (
        tag("AutoScalingGroupName", g.name) +
        tag("AutoScalingGroupARN", g.arn) +
        tag("MinSize", g.minSize) +
        tag("MaxSize", g.maxSize) +
        tag("DesiredCapacity", g.desired) +
        tag("DefaultCooldown", 300) +
        `<AvailabilityZones>${members([`${this.world.config.region}a`])}</AvailabilityZones>` +
        tag("HealthCheckType", "EC2") +
        tag("CreatedTime", isoTime(g.created)) +
        `<Instances>${members(instances)}</Instances>`
      );
    });
    return `<AutoScalingGroups>${members(items)}</AutoScalingGroups>`;
  }

  private describeActivities(params: URLSearchParams): string {
    const name = params.get("AutoScalingGroupName");
    const max = Number(params.get("MaxRecords") ?? "100");
    const found = this.activities.filter((a) => name === null || a.group === name).slice(0, max);
    const items = found.map(
      (a) =>
        tag("ActivityId", a.id) +
        tag("AutoScalingGroupName", a.group) +
        tag("Description", a.description) +
        tag("Cause", a.cause) +
        tag("StartTime", isoTime(a.start)) +
        tag("EndTime", a.end === undefined ? undefined : isoTime(a.end)) +
        tag("StatusCode", a.status) +
        tag("StatusMessage", a.message) +
        tag("Progress", a.status === "InProgress" ? 50 : 100),
    );
    return `<Activities>${members(items)}</Activities>`;
  }

  private setDesired(params: URLSearchParams): string {
    const group = this.group(params.get("AutoScalingGroupName"));
    const desired = Number(params.get("DesiredCapacity"));
    if (desired > group.maxSize) {
      throw new AwsError(
        "ValidationError",
        `New SetDesiredCapacity value ${desired} is above max value ${group.maxSize} for the AutoScalingGroup.`,
      );
    }
    if (desired < group.minSize) {
      throw new AwsError(
        "ValidationError",
        `New SetDesiredCapacity value ${desired} is below min value ${group.minSize} for the AutoScalingGroup.`,
      );
    }
    if (desired > group.desired) group.nextLaunch = 0;
    group.desired = desired;
    return "";
  }

  private terminate(params: URLSearchParams): string {
    const instance = this.world.instances.get(params.get("InstanceId") ?? "");
    if (instance === undefined || instance.group === undefined || instance.state === "terminated") {
      throw new AwsError(
        "ValidationError",
        `Instance Id not found - No managed instance found for instance ID: ${params.get("InstanceId")}`,
      );
    }
    const group = this.group(instance.group);
    const decrement = params.get("ShouldDecrementDesiredCapacity") === "true";
    if (decrement && group.desired <= group.minSize) {
      throw new AwsError(
        "ValidationError",
        `Currently, desired capacity is at min size ${group.minSize}; the desired capacity cannot be decremented.`,
      );
    }
    if (decrement) group.desired -= 1;
    const activity = this.activity(
      group,
      `Terminating EC2 instance: ${instance.id}`,
      `At ${isoTime(Date.now())} instance ${instance.id} was taken out of service in response to a user request${decrement ? `, shrinking the capacity to ${group.desired}` : ""}.`,
    );
    void this.ec2
      .terminate(instance, `TerminateInstanceInAutoScalingGroup`)
      .then(() => this.finish(activity, "Successful"));
    return (
      "<Activity>" +
      tag("ActivityId", activity.id) +
      tag("AutoScalingGroupName", group.name) +
      tag("Description", activity.description) +
      tag("Cause", activity.cause) +
      tag("StartTime", isoTime(activity.start)) +
      tag("StatusCode", "InProgress") +
      tag("Progress", 0) +
      "</Activity>"
    );
  }
}
