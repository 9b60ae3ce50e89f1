import { randomBytes } from "node:crypto";
import type { CreatedResource, ParameterValue, StackScope } from "../template-resolver.js";
import type { AutoScaling } from "./auto-scaling.js";
import type { Ec2 } from "./ec2.js";
import { ComputeResources } from "./compute-resources.js";
import type { PolicyDocument, Role } from "./iam.js";
import { ruleFrom } from "./vpc.js";
import type { World } from "./world.js";

/*
 * What creating each resource of a cluster stack does in the fake: the
 * secrets get a value, roles and their policies are what IAM decides calls
 * by, security groups and their rules are what the packet filter enforces,
 * and launch templates, the master instance and the Auto Scaling groups are
 * compute-resources.ts's. Every other type only gets an id.
 */

type Json = Record<string, unknown>;

/** A resource to create: its stack, logical id and properties, and a random suffix for names. */
interface NewResource {
  readonly stack: Stack;
  readonly logicalId: string;
  readonly properties: Json;
  readonly suffix: string;
}

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
  private readonly compute: ComputeResources;

  constructor(
    private readonly world: World,
    ec2: Ec2,
    autoScaling: AutoScaling,
  ) {
    this.compute = new ComputeResources(world, ec2, autoScaling);
  }

  /** What creating a resource of each type does, by type; {@link create} names the rest. */
  private readonly creators = new Map<string, (resource: NewResource) => CreatedResource>([
    ["AWS::EC2::SecurityGroup", (r) => this.securityGroup(r)],
    ["AWS::EC2::SecurityGroupIngress", (r) => this.ingress(r)],
    ["AWS::SecretsManager::Secret", (r) => this.secret(r)],
    ["AWS::IAM::Role", (r) => this.role(r)],
    ["AWS::IAM::Policy", (r) => this.policy(r)],
    ["AWS::IAM::InstanceProfile", (r) => this.instanceProfile(r)],
    ["AWS::EC2::LaunchTemplate", (r) => this.compute.launchTemplate(r.stack, r.properties)],
    ["AWS::EC2::Instance", (r) => this.compute.instance(r.stack, r.logicalId, r.properties)],
    [
      "AWS::AutoScaling::AutoScalingGroup",
      (r) => this.compute.group(r.stack, r.logicalId, r.properties),
    ],
  ]);

  /** Creates one resource of the stack: what Ref and Fn::GetAtt return for it. */
  create(stack: Stack, logicalId: string, type: string, properties: Json): CreatedResource {
    const suffix = randomBytes(6).toString("hex").toUpperCase();
    const creator = this.creators.get(type);
    return creator === undefined
      ? { ref: `${logicalId.toLowerCase()}-${suffix.toLowerCase()}`, attributes: {} }
      : creator({ stack, logicalId, properties, suffix });
  }

  private securityGroup({ properties }: NewResource): CreatedResource {
    const group = this.world.vpc.createGroup(
      String(properties["VpcId"]),
      String(properties["GroupDescription"] ?? ""),
      ((properties["SecurityGroupIngress"] ?? []) as Json[]).map(ruleFrom),
    );
    this.world.noteNetworkChange();
    return { ref: group.id, attributes: { GroupId: group.id, VpcId: group.vpcId } };
  }

  private ingress({ properties }: NewResource): CreatedResource {
    const rule = ruleFrom(properties);
    this.world.vpc.addRule(String(properties["GroupId"]), rule);
    this.world.noteNetworkChange();
    return { ref: rule.id, attributes: {} };
  }

  /** A secret with a generated value, as GenerateSecretString asks (letters and digits only). */
  private secret({ logicalId, properties, suffix }: NewResource): CreatedResource {
    const { region, accountId } = this.world.config;
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

  private role({ stack, logicalId, properties, suffix }: NewResource): CreatedResource {
    const { accountId } = this.world.config;
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

  /** An inline policy: added to each of its roles the stack created. */
  private policy({ stack, logicalId, properties, suffix }: NewResource): CreatedResource {
    for (const roleName of (properties["Roles"] ?? []) as string[]) {
      const role = [...this.world.roles.values()].find((r) => r.name === roleName);
      role?.policies.push({
        name: String(properties["PolicyName"]),
        document: properties["PolicyDocument"] as PolicyDocument,
      });
    }
    return { ref: `${stack.name}-${logicalId}-${suffix}`, attributes: {} };
  }

  /** An instance profile: its role, found by the profile's name or its ARN. */
  private instanceProfile({ stack, logicalId, properties, suffix }: NewResource): CreatedResource {
    const { accountId } = this.world.config;
    const name = `${stack.name}-${logicalId}-${suffix}`;
    const roleName = ((properties["Roles"] ?? []) as string[])[0];
    const role = [...this.world.roles.values()].find((r) => r.name === roleName);
    if (role === undefined) throw new Error(`${logicalId}: no role ${roleName}`);
    stack.profiles.set(name, role);
    const arn = `arn:aws:iam::${accountId}:instance-profile${String(properties["Path"] ?? "/")}${name}`;
    stack.profiles.set(arn, role);
    return { ref: name, attributes: { Arn: arn } };
  }
}
