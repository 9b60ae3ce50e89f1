import { randomBytes } from "node:crypto";
import type { CreatedResource, ParameterValue, StackScope } from "../template-resolver.js";
import type { AutoScaling } from "./auto-scaling.js";
import type { Ec2 } from "./ec2.js";
import { privateName } from "./dns.js";
import type { PolicyDocument, Role } from "./iam.js";
import { ruleFrom } from "./vpc.js";
import type { Market, World } from "./world.js";

/*
 * What creating each resource of a cluster stack does in the fake: the
 * secrets get a value, roles and their policies are what IAM decides calls
 * by, security groups and their rules are what the packet filter enforces,
 * launch templates are kept for the master and the groups, the master
 * instance boots in its subnet, and each Auto Scaling group starts keeping
 * its capacity in its subnets, from its types (a mixed instances policy's
 * overrides) on its market. Every other type only gets an id.
 */

type Json = Record<string, unknown>;

export interface StackEvent {
  readonly time: number;
  readonly logicalId: string;
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  /** Instances that deleting this resource terminated. */
  readonly terminated?: readonly string[];
}

export interface Stack {
  readonly id: string;
  readonly name: string;
  readonly template: Json;
  readonly parameters: Record<string, ParameterValue>;
  status: string;
  reason?: string;
  readonly events: StackEvent[];
  readonly created: Map<string, CreatedResource & { type: string }>;
  readonly signals: Array<{ logicalId: string; status: string; uniqueId: string; time: number }>;
  outputs: Record<string, string>;
  /** Resolved launch template data by launch template id. */
  readonly launchTemplates: Map<string, Json>;
  /** Role by instance profile name. */
  readonly profiles: Map<string, Role>;
  scope?: StackScope;
}

export class StackResources {
  constructor(
    private readonly world: World,
    private readonly ec2: Ec2,
    private readonly autoScaling: AutoScaling,
  ) {}

  /** Creates one resource of the stack: what Ref and Fn::GetAtt return for it. */
  create(stack: Stack, logicalId: string, type: string, properties: Json): CreatedResource {
    const { region, accountId } = this.world.config;
    const suffix = randomBytes(6).toString("hex").toUpperCase();
    switch (type) {
      case "AWS::EC2::SecurityGroup": {
        const group = this.world.vpc.createGroup(
          String(properties["VpcId"]),
          String(properties["GroupDescription"] ?? ""),
          ((properties["SecurityGroupIngress"] ?? []) as Json[]).map(ruleFrom),
        );
        this.world.noteNetworkChange();
        return { ref: group.id, attributes: { GroupId: group.id, VpcId: group.vpcId } };
      }
      case "AWS::EC2::SecurityGroupIngress": {
        const rule = ruleFrom(properties);
        this.world.vpc.addRule(String(properties["GroupId"]), rule);
        this.world.noteNetworkChange();
        return { ref: rule.id, attributes: {} };
      }
      case "AWS::SecretsManager::Secret": {
        const name = String(properties["Name"] ?? `${logicalId}-${suffix}`);
        const arn = `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix.slice(0, 6)}`;
        const generate = (properties["GenerateSecretString"] ?? {}) as Json;
        const length = Number(generate["PasswordLength"] ?? 32);
        const value = randomBytes(length)
          .toString("base64")
          .replace(/[^A-Za-z0-9]/g, "")
          .padEnd(length, "x")
          .slice(0, length);
        this.world.secrets.set(arn, { name, value });
        return { ref: arn, attributes: { Id: arn } };
      }
      case "AWS::IAM::Role": {
        const name = `${stack.name}-${logicalId}-${suffix}`.slice(0, 64);
        const arn = `arn:aws:iam::${accountId}:role${String(properties["Path"] ?? "/")}${name}`;
        const policies = ((properties["Policies"] ?? []) as Json[]).map((p) => ({
          name: String(p["PolicyName"]),
          document: p["PolicyDocument"] as PolicyDocument,
        }));
        // IAM refuses a boundary that names no managed policy of the account.
        const boundaryArn = properties["PermissionsBoundary"];
        let boundary: Role["boundary"];
        if (boundaryArn !== undefined) {
          const document = this.world.config.managedPolicies[String(boundaryArn)];
          if (document === undefined) {
            throw new Error(`Policy ${String(boundaryArn)} does not exist or is not attachable.`);
          }
          boundary = { name: String(boundaryArn), document };
        }
        this.world.roles.set(arn, { logicalId, name, arn, policies, boundary });
        return { ref: name, attributes: { Arn: arn, RoleId: `AROA${suffix}` } };
      }
      case "AWS::IAM::Policy": {
        for (const roleName of (properties["Roles"] ?? []) as string[]) {
          const role = [...this.world.roles.values()].find((r) => r.name === roleName);
          role?.policies.push({
            name: String(properties["PolicyName"]),
            document: properties["PolicyDocument"] as PolicyDocument,
          });
        }
        return { ref: `${stack.name}-${logicalId}-${suffix}`, attributes: {} };
      }
      case "AWS::IAM::InstanceProfile": {
        const name = `${stack.name}-${logicalId}-${suffix}`;
        const roleName = ((properties["Roles"] ?? []) as string[])[0];
        const role = [...this.world.roles.values()].find((r) => r.name === roleName);
        if (role === undefined) throw new Error(`${logicalId}: no role ${roleName}`);
        stack.profiles.set(name, role);
        const arn = `arn:aws:iam::${accountId}:instance-profile${String(properties["Path"] ?? "/")}${name}`;
        stack.profiles.set(arn, role);
        return { ref: name, attributes: { Arn: arn } };
      }
      case "AWS::EC2::LaunchTemplate": {
        const id = this.world.id("lt");
        stack.launchTemplates.set(id, (properties["LaunchTemplateData"] ?? {}) as Json);
        return {
          ref: id,
          attributes: { LatestVersionNumber: "1", DefaultVersionNumber: "1", LaunchTemplateId: id },
        };
      }
      case "AWS::EC2::Instance":
        return this.createInstance(stack, logicalId, properties);
      case "AWS::AutoScaling::AutoScalingGroup":
        return this.createGroup(stack, logicalId, properties);
      default:
        return { ref: `${logicalId.toLowerCase()}-${suffix.toLowerCase()}`, attributes: {} };
    }
  }

  private launchSpec(
    stack: Stack,
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

  private stackTags(stack: Stack, logicalId: string): Record<string, string> {
    return {
      "aws:cloudformation:stack-name": stack.name,
      "aws:cloudformation:stack-id": stack.id,
      "aws:cloudformation:logical-id": logicalId,
    };
  }

  private createInstance(stack: Stack, logicalId: string, properties: Json): CreatedResource {
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

  private createGroup(stack: Stack, logicalId: string, properties: Json): CreatedResource {
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
