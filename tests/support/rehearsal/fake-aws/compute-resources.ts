import type { CreatedResource } from "../template-resolver.js";
import type { AutoScaling } from "./auto-scaling.js";
import { privateName } from "./dns.js";
import type { Ec2 } from "./ec2.js";
import type { Role } from "./iam.js";
import type { Market, World } from "./world.js";

/*
 * A cluster stack's compute in the fake: launch templates are kept for the
 * master and the groups, the master instance boots in its subnet, and each
 * Auto Scaling group starts keeping its capacity in its subnets, from its
 * types (a mixed instances policy's overrides) on its market.
 */

type Json = Record<string, unknown>;

/** What compute needs of its stack: its names, and the templates and profiles it created. */
export interface ComputeStack {
  readonly id: string;
  readonly name: string;
  /** Resolved launch template data by launch template id. */
  readonly launchTemplates: Map<string, Json>;
  /** Role by instance profile name. */
  readonly profiles: Map<string, Role>;
}

export class ComputeResources {
  constructor(
    private readonly world: World,
    private readonly ec2: Ec2,
    private readonly autoScaling: AutoScaling,
  ) {}

  /** A launch template: its data kept for the master and the groups that name it. */
  launchTemplate(stack: ComputeStack, properties: Json): CreatedResource {
    const id = this.world.id("lt");
    stack.launchTemplates.set(id, (properties["LaunchTemplateData"] ?? {}) as Json);
    return {
      ref: id,
      attributes: { LatestVersionNumber: "1", DefaultVersionNumber: "1", LaunchTemplateId: id },
    };
  }

  private launchSpec(
    stack: ComputeStack,
    data: Json,
    tags: Record<string, string>,
    kind: "master" | "compute",
  ) {
    const profile = (data["IamInstanceProfile"] ?? {}) as Json;
    const role = stack.profiles.get(
      String(profile["Arn"] ?? profile["Name"] ?? data["IamInstanceProfile"]),
    );
    if (role === undefined)
      throw new Error("the instance has no instance profile the stack created");
    const metadata = (data["MetadataOptions"] ?? {}) as Json;
    return {
      kind,
      role,
      securityGroupIds: ((data["SecurityGroupIds"] ?? []) as unknown[]).map(String),
      userData: Buffer.from(String(data["UserData"] ?? ""), "base64").toString("utf8"),
      tags,
      metadataTags: metadata["InstanceMetadataTags"] === "enabled",
      // Only the login node's public address is ever used (the access host's SSH);
      // a compute node's would be dropped by its groups all the same.
      publicIp: kind === "master",
    } as const;
  }

  private stackTags(stack: ComputeStack, logicalId: string): Record<string, string> {
    return {
      "aws:cloudformation:stack-name": stack.name,
      "aws:cloudformation:stack-id": stack.id,
      "aws:cloudformation:logical-id": logicalId,
    };
  }

  /** The master: an on-demand instance in its subnet, from its launch template and its own properties. */
  instance(stack: ComputeStack, logicalId: string, properties: Json): CreatedResource {
    const template = (properties["LaunchTemplate"] ?? {}) as Json;
    const fromTemplate = stack.launchTemplates.get(String(template["LaunchTemplateId"])) ?? {};
    const data = { ...fromTemplate, ...properties };
    const tags = Object.fromEntries(
      ((properties["Tags"] ?? []) as Json[]).map((t) => [String(t["Key"]), String(t["Value"])]),
    );
    const instance = this.ec2.launch({
      ...this.launchSpec(stack, data, { ...tags, ...this.stackTags(stack, logicalId) }, "master"),
      instanceType: String(data["InstanceType"]),
      market: "on-demand",
      subnetId: String(data["SubnetId"]),
    });
    return {
      ref: instance.id,
      attributes: {
        PrivateIp: instance.ip,
        PublicIp: instance.publicIp ?? "",
        AvailabilityZone: instance.zone,
        PrivateDnsName: privateName(instance.ip, this.world.config.region),
      },
    };
  }

  /**
   * An Auto Scaling group, which starts keeping its capacity in its subnets,
   * from its types (a mixed instances policy's overrides) on its market.
   */
  group(stack: ComputeStack, logicalId: string, properties: Json): CreatedResource {
    const mixed = properties["MixedInstancesPolicy"] as Json | undefined;
    const mixedTemplate = (mixed?.["LaunchTemplate"] ?? {}) as Json;
    const template = (mixedTemplate["LaunchTemplateSpecification"] ??
      properties["LaunchTemplate"] ??
      {}) as Json;
    const data = stack.launchTemplates.get(String(template["LaunchTemplateId"]));
    if (data === undefined) throw new Error(`${logicalId}: unknown launch template`);
    const name = String(properties["AutoScalingGroupName"] ?? `${stack.name}-${logicalId}`);
    const propagated = Object.fromEntries(
      ((properties["Tags"] ?? []) as Json[])
        .filter((t) => t["PropagateAtLaunch"] === true || t["PropagateAtLaunch"] === "true")
        .map((t) => [String(t["Key"]), String(t["Value"])]),
    );
    const market = (data["InstanceMarketOptions"] ?? {}) as Json;
    const spot = (market["SpotOptions"] ?? {}) as Json;
    const minSize = Number(properties["MinSize"]);
    let instanceTypes = [String(data["InstanceType"])];
    let buys: Market = market["MarketType"] === "spot" ? "spot" : "on-demand";
    let spotMaxPrice =
      market["MarketType"] === "spot" && spot["MaxPrice"] !== undefined
        ? Number(spot["MaxPrice"])
        : undefined;
    if (mixed !== undefined) {
      // As AWS refuses it: spot belongs in the instances distribution.
      if (market["MarketType"] !== undefined) {
        throw new Error(
          `${logicalId}: Incompatible launch template: You cannot use a launch template that is set to request Spot Instances (InstanceMarketOptions) when you configure an Auto Scaling group with a mixed instances policy.`,
        );
      }
      const overrides = (mixedTemplate["Overrides"] ?? []) as Json[];
      if (overrides.length > 0) instanceTypes = overrides.map((o) => String(o["InstanceType"]));
      const distribution = (mixed["InstancesDistribution"] ?? {}) as Json;
      // AWS's default is all on-demand; FlightDeck's spot groups say 0.
      const onDemand = Number(distribution["OnDemandPercentageAboveBaseCapacity"] ?? 100);
      buys = onDemand === 0 ? "spot" : "on-demand";
      spotMaxPrice =
        buys === "spot" && distribution["SpotMaxPrice"] !== undefined
          ? Number(distribution["SpotMaxPrice"])
          : undefined;
    }
    const group = this.autoScaling.create({
      name,
      minSize,
      maxSize: Number(properties["MaxSize"]),
      desired:
        properties["DesiredCapacity"] === undefined
          ? minSize
          : Number(properties["DesiredCapacity"]),
      launch: this.launchSpec(
        stack,
        data,
        { ...propagated, ...this.stackTags(stack, logicalId), "aws:autoscaling:groupName": name },
        "compute",
      ),
      instanceTypes,
      market: buys,
      spotMaxPrice,
      // A group in a VPC names its subnets; there is no default VPC here.
      subnetIds: ((properties["VPCZoneIdentifier"] ?? []) as unknown[]).map(String),
    });
    return { ref: name, attributes: { Arn: group.arn } };
  }
}
