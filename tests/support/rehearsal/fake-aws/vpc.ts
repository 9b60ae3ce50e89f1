import { randomBytes } from "node:crypto";
import { QueryError } from "../../query-protocol.js";
import { addressIn, contains } from "../ipv4.js";

/*
 * The deployment's shared VPC in the fake: its subnets (one per zone, each
 * handing out addresses from its block), the security groups (the
 * deployment's, seeded, and the clusters', made by their stacks) and the
 * EFS file systems with their mount targets. packet-filter.ts enforces the
 * groups on the bridge; efs.ts serves the mount targets.
 */

/** One ingress rule: a protocol and port range, from the members of a group or from a block. */
export interface IngressRule {
  readonly id: string;
  readonly protocol: "tcp" | "udp" | "-1";
  readonly fromPort: number;
  readonly toPort: number;
  readonly sourceGroupId?: string;
  readonly cidr?: string;
  readonly description?: string;
}

export interface SecurityGroup {
  readonly id: string;
  readonly vpcId: string;
  readonly description: string;
  readonly ingress: IngressRule[];
}

export interface Subnet {
  readonly id: string;
  readonly zone: string;
  readonly cidr: string;
}

export interface MountTarget {
  readonly id: string;
  readonly fileSystemId: string;
  readonly subnetId: string;
  readonly zone: string;
  /** Its address in the subnet: the fake serves NFS there. */
  readonly ip: string;
  readonly securityGroups: readonly string[];
}

/** What the deployment built, as the test hands it to the fake (its config). */
export interface DeploymentSeed {
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly subnets: readonly Subnet[];
  /** The SSM parameters the deployment wrote, by name (a list comma-joined, as SSM stores a StringList). */
  readonly parameters: Readonly<Record<string, string>>;
  readonly securityGroups: readonly Omit<SecurityGroup, "vpcId">[];
  readonly fileSystems: readonly {
    readonly id: string;
    /** The home's owner (a FlightDeck user id). */
    readonly owner: string;
    readonly mountTargets: readonly Omit<MountTarget, "fileSystemId" | "zone">[];
  }[];
}

/** A rule of a template's SecurityGroupIngress, as CloudFormation resolved it. */
export function ruleFrom(properties: Readonly<Record<string, unknown>>): IngressRule {
  const named = String(properties["IpProtocol"] ?? "").toLowerCase();
  const protocols: Readonly<Record<string, IngressRule["protocol"]>> = {
    "6": "tcp",
    "17": "udp",
    "-1": "-1",
    tcp: "tcp",
    udp: "udp",
  };
  const protocol = protocols[named];
  if (protocol === undefined) {
    throw new QueryError("InvalidParameterValue", `The fake does not model IpProtocol ${named}.`);
  }
  const source = properties["SourceSecurityGroupId"];
  const cidr = properties["CidrIp"];
  if ((source === undefined) === (cidr === undefined)) {
    throw new QueryError(
      "InvalidParameterCombination",
      "Specify exactly one of SourceSecurityGroupId and CidrIp.",
    );
  }
  const port = (key: string, whole: number) =>
    protocol === "-1" || properties[key] === undefined ? whole : Number(properties[key]);
  return {
    id: `sgr-${randomBytes(9).toString("hex").slice(0, 17)}`,
    protocol,
    fromPort: port("FromPort", 0),
    toPort: port("ToPort", 65535),
    ...(source === undefined ? {} : { sourceGroupId: String(source) }),
    ...(cidr === undefined ? {} : { cidr: String(cidr) }),
    ...(properties["Description"] === undefined
      ? {}
      : { description: String(properties["Description"]) }),
  };
}

export class Vpc {
  readonly id: string;
  readonly cidr: string;
  readonly subnets = new Map<string, Subnet>();
  readonly groups = new Map<string, SecurityGroup>();
  readonly mountTargets: MountTarget[] = [];
  /** Each file system's owner, by file system id. */
  readonly fileSystems = new Map<string, string>();
  /** The SSM parameter store: the deployment's parameters. */
  readonly parameters: ReadonlyMap<string, string>;
  /** The next instance address of each subnet, as an offset in its block: AWS keeps the first four. */
  private readonly next = new Map<string, number>();

  constructor(seed: DeploymentSeed) {
    this.id = seed.vpcId;
    this.cidr = seed.vpcCidr;
    for (const subnet of seed.subnets) {
      this.subnets.set(subnet.id, subnet);
      this.next.set(subnet.id, 10);
    }
    for (const group of seed.securityGroups)
      this.groups.set(group.id, { ...group, vpcId: this.id });
    for (const fileSystem of seed.fileSystems) {
      this.fileSystems.set(fileSystem.id, fileSystem.owner);
      for (const target of fileSystem.mountTargets) {
        this.mountTargets.push({
          ...target,
          fileSystemId: fileSystem.id,
          zone: this.subnet(target.subnetId).zone,
        });
      }
    }
    this.parameters = new Map(Object.entries(seed.parameters));
  }

  subnet(id: string): Subnet {
    const subnet = this.subnets.get(id);
    if (subnet === undefined)
      throw new QueryError("InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`);
    return subnet;
  }

  /** The next free private address in `subnet`. */
  allocateAddress(subnet: Subnet): string {
    const offset = this.next.get(subnet.id) ?? 10;
    this.next.set(subnet.id, offset + 1);
    const address = addressIn(subnet.cidr, offset);
    if (!contains(subnet.cidr, address) || this.mountTargets.some((t) => t.ip === address)) {
      throw new QueryError(
        "InsufficientFreeAddressesInSubnet",
        `Insufficient free addresses in ${subnet.id}.`,
      );
    }
    return address;
  }

  /** Throws as EC2 does unless every group exists in this VPC. */
  checkGroups(ids: readonly string[]): void {
    for (const id of ids) {
      if (!this.groups.has(id)) {
        throw new QueryError(
          "InvalidGroup.NotFound",
          `The security group '${id}' does not exist in VPC '${this.id}'`,
        );
      }
    }
  }

  createGroup(vpcId: string, description: string, ingress: IngressRule[]): SecurityGroup {
    if (vpcId !== this.id)
      throw new QueryError("InvalidVpcID.NotFound", `The vpc ID '${vpcId}' does not exist`);
    const group = {
      id: `sg-${randomBytes(9).toString("hex").slice(0, 17)}`,
      vpcId,
      description,
      ingress,
    };
    for (const rule of ingress) this.checkSource(rule);
    this.groups.set(group.id, group);
    return group;
  }

  addRule(groupId: string, rule: IngressRule): void {
    this.checkGroups([groupId]);
    this.checkSource(rule);
    this.groups.get(groupId)?.ingress.push(rule);
  }

  removeRule(ruleId: string): void {
    for (const group of this.groups.values()) {
      const at = group.ingress.findIndex((rule) => rule.id === ruleId);
      if (at >= 0) group.ingress.splice(at, 1);
    }
  }

  /** Deletes a group, refused as EC2 refuses it while a network interface or another group's rule uses it. */
  deleteGroup(id: string, interfacesWith: (groupId: string) => string[]): void {
    const users = [
      ...interfacesWith(id),
      ...this.mountTargets.filter((t) => t.securityGroups.includes(id)).map((t) => t.id),
      ...[...this.groups.values()]
        .filter((g) => g.id !== id && g.ingress.some((rule) => rule.sourceGroupId === id))
        .map((g) => g.id),
    ];
    if (users.length > 0) {
      throw new QueryError(
        "DependencyViolation",
        `resource ${id} has a dependent object (${users.join(", ")})`,
      );
    }
    this.groups.delete(id);
  }

  private checkSource(rule: IngressRule): void {
    if (rule.sourceGroupId !== undefined) this.checkGroups([rule.sourceGroupId]);
  }
}
