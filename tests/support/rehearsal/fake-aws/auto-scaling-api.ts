import { listParameter, members, QueryError, tag } from "../../query-protocol.js";
import type { AutoScaling, Group } from "./auto-scaling.js";
import type { Ec2 } from "./ec2.js";
import { isoTime } from "./protocol.js";
import type { World } from "./world.js";

/*
 * EC2 Auto Scaling's Query API, the calls the master's node manager makes
 * (describe groups and activities, set the desired capacity, terminate an
 * instance in its group), on the groups auto-scaling.ts keeps.
 */

export class AutoScalingApi {
  constructor(
    private readonly world: World,
    private readonly scaling: AutoScaling,
    private readonly ec2: Ec2,
  ) {}

  private group(name: string | null): Group {
    const group = name === null ? undefined : this.scaling.groups.get(name);
    if (group === undefined || group.deleting) {
      throw new QueryError(
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
    const group = name === null ? undefined : this.scaling.groups.get(name);
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
        throw new QueryError(
          "InvalidAction",
          `The action ${action} is not valid for this web service.`,
        );
    }
  }

  private describeGroups(names: string[]): string {
    const groups = [...this.scaling.groups.values()].filter(
      (g) => !g.deleting && (names.length === 0 || names.includes(g.name)),
    );
    const items = groups.map((g) => {
      const instances = this.scaling
        .members(g)
        .map(
          (i) =>
            tag("InstanceId", i.id) +
            tag("InstanceType", i.instanceType) +
            tag("AvailabilityZone", i.zone) +
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
        `<AvailabilityZones>${members(g.subnetIds.map((id) => this.world.vpc.subnet(id).zone))}</AvailabilityZones>` +
        tag("VPCZoneIdentifier", g.subnetIds.join(",")) +
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
    const found = this.scaling.activities
      .filter((a) => name === null || a.group === name)
      .slice(0, max);
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
      throw new QueryError(
        "ValidationError",
        `New SetDesiredCapacity value ${desired} is above max value ${group.maxSize} for the AutoScalingGroup.`,
      );
    }
    if (desired < group.minSize) {
      throw new QueryError(
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
      throw new QueryError(
        "ValidationError",
        `Instance Id not found - No managed instance found for instance ID: ${params.get("InstanceId")}`,
      );
    }
    const group = this.group(instance.group);
    const decrement = params.get("ShouldDecrementDesiredCapacity") === "true";
    if (decrement && group.desired <= group.minSize) {
      throw new QueryError(
        "ValidationError",
        `Currently, desired capacity is at min size ${group.minSize}; the desired capacity cannot be decremented.`,
      );
    }
    if (decrement) group.desired -= 1;
    const activity = this.scaling.activity(
      group,
      `Terminating EC2 instance: ${instance.id}`,
      `At ${isoTime(Date.now())} instance ${instance.id} was taken out of service in response to a user request${decrement ? `, shrinking the capacity to ${group.desired}` : ""}.`,
    );
    void this.ec2
      .terminate(instance, `TerminateInstanceInAutoScalingGroup`)
      .then(() => this.scaling.finish(activity, "Successful"));
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
