import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard/index.js";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js";
import { EfsBackupPolicy } from "@cdktf/provider-aws/lib/efs-backup-policy/index.js";
import { EfsFileSystem } from "@cdktf/provider-aws/lib/efs-file-system/index.js";
import { EfsMountTarget } from "@cdktf/provider-aws/lib/efs-mount-target/index.js";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group/index.js";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter/index.js";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule/index.js";
import { Construct } from "constructs";
import { homeParameterNames } from "../../functions/shared/deployment-parameters.js";
import { encodeUser } from "../../functions/shared/stack-name.js";
import type { NetworkSubnetRef } from "../network/deployment-network.js";
import type { HomeOwner } from "../settings/settings-shape.js";
import { mountTargetIngress } from "./home-network.js";

/** Properties of {@link UserHomes}. */
export interface UserHomesProps {
  readonly deployment: string;
  readonly region: string;
  readonly owners: readonly HomeOwner[];
  readonly vpcId: string;
  readonly subnets: readonly NetworkSubnetRef[];
  /** Where the storage alarms go: the deployment's alarm topic. */
  readonly alarmTopicArn: string;
}

/** One user's home, as the outputs and the dashboard name it. */
export interface UserHome {
  readonly owner: HomeOwner;
  readonly fileSystem: EfsFileSystem;
}

/** Seconds per storage-alarm period: EFS reports its metered size about every 15 minutes. */
const STORAGE_PERIOD_SECONDS = 900;
const GIB = 1024 ** 3;

/**
 * Every user's home: their own EFS file system, which outlives all their
 * clusters and their removal from the settings. One file system per user,
 * rather than one shared file system with an access point each, because:
 * its mount targets admit NFS only from the user's own client group, which
 * no one on a node can change (users are root there, so POSIX permissions
 * cannot keep them apart); a node mounts it with the stock NFS client, with
 * no mount helper to build on Ubuntu; and EFS meters each file system, so
 * every user's storage is a figure the admin sees and can alarm on.
 *
 * Each home is encrypted at rest (the AWS managed key), backed up daily by
 * AWS Backup (EFS's automatic backups: 35 days), has a mount target in every
 * subnet, and cannot be destroyed by Terraform (`prevent_destroy`) unless
 * the settings name its user in `homes.deletable`. Its ids reach the cluster
 * template through SSM parameters named after the user.
 */
export class UserHomes extends Construct {
  readonly homes: readonly UserHome[];

  constructor(scope: Construct, id: string, props: UserHomesProps) {
    super(scope, id);
    this.homes = props.owners.map((owner) => this.home(props, owner));
    if (this.homes.length > 0) this.dashboard(props);
  }

  private home(props: UserHomesProps, owner: HomeOwner): UserHome {
    // Letters and digits only, and never changing for a user: a home's address in the state.
    const key = encodeUser(owner.id);
    const home: HomeParts = {
      scope: new Construct(this, key),
      owner,
      name: `${props.deployment}-home-${key}`,
      tags: { Name: `${props.deployment}-home-${owner.id}`, USER: owner.id },
    };
    const fileSystem = new EfsFileSystem(home.scope, "file-system", {
      creationToken: home.name,
      encrypted: true,
      performanceMode: "generalPurpose",
      throughputMode: "elastic",
      tags: home.tags,
      lifecycle: { preventDestroy: !owner.deletable },
    });
    new EfsBackupPolicy(home.scope, "backup", {
      fileSystemId: fileSystem.id,
      backupPolicy: { status: "ENABLED" },
    });
    const clients = homeAccess(home, props, fileSystem);
    homeParameters(home, props, fileSystem, clients);
    storageAlarm(home, props, fileSystem);
    return { owner, fileSystem };
  }

  /** One graph of every home's size, by user: the admin's storage figure. */
  private dashboard(props: UserHomesProps): void {
    const metrics = this.homes.map(({ owner, fileSystem }) => [
      "AWS/EFS",
      "StorageBytes",
      "FileSystemId",
      fileSystem.id,
      "StorageClass",
      "Total",
      { label: owner.id },
    ]);
    new CloudwatchDashboard(this, "dashboard", {
      dashboardName: `${props.deployment}-homes`,
      dashboardBody: JSON.stringify({
        widgets: [
          {
            type: "metric",
            x: 0,
            y: 0,
            width: 24,
            height: 8,
            properties: {
              title: "Home storage per user (bytes)",
              region: props.region,
              stat: "Maximum",
              period: STORAGE_PERIOD_SECONDS,
              view: "timeSeries",
              metrics,
            },
          },
        ],
      }),
    });
  }
}

/** One home as it is built: the construct its resources sit in, and what names and tags them. */
interface HomeParts {
  readonly scope: Construct;
  readonly owner: HomeOwner;
  /** `<deployment>-home-<encoded user>`: the file system's creation token, and its groups' names. */
  readonly name: string;
  readonly tags: { readonly Name: string; readonly USER: string };
}

/**
 * Who reaches a home: its mount targets, one per subnet, admit NFS only from
 * its clients' security group, which the owner's cluster nodes carry (the
 * merge attaches it) and no one else's. Returns that clients' group.
 */
function homeAccess(
  { scope, owner, name, tags }: HomeParts,
  props: UserHomesProps,
  fileSystem: EfsFileSystem,
): SecurityGroup {
  const clients = new SecurityGroup(scope, "clients", {
    name: `${name}-clients`,
    description: `FlightDeck: the nodes that may reach ${owner.id}'s home`,
    vpcId: props.vpcId,
    tags: { ...tags, Name: `${tags.Name}-clients` },
  });
  const targets = new SecurityGroup(scope, "mount-targets", {
    name,
    description: `FlightDeck: ${owner.id}'s home, reachable from their clusters only`,
    vpcId: props.vpcId,
    tags,
  });
  const rule = mountTargetIngress(clients.id);
  new VpcSecurityGroupIngressRule(scope, "nfs-from-clients", {
    securityGroupId: targets.id,
    ipProtocol: rule.protocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    referencedSecurityGroupId: rule.sourceSecurityGroupId,
    description: rule.description,
  });
  for (const subnet of props.subnets) {
    new EfsMountTarget(scope, `mount-target-${subnet.zone}`, {
      fileSystemId: fileSystem.id,
      subnetId: subnet.id,
      securityGroups: [targets.id],
    });
  }
  return clients;
}

/** The SSM parameters, named after the user, through which the cluster template finds a home. */
function homeParameters(
  { scope, owner }: HomeParts,
  props: UserHomesProps,
  fileSystem: EfsFileSystem,
  clients: SecurityGroup,
): void {
  const parameters = homeParameterNames(props.deployment, owner.id);
  new SsmParameter(scope, "file-system-id", {
    name: parameters.fileSystemId,
    type: "String",
    value: fileSystem.id,
    description: `FlightDeck: ${owner.id}'s home file system.`,
  });
  new SsmParameter(scope, "client-security-group-id", {
    name: parameters.clientSecurityGroupId,
    type: "String",
    value: clients.id,
    description: `FlightDeck: the security group that reaches ${owner.id}'s home.`,
  });
}

/** The alarm on a home that holds more than its owner's `alarmGiB`. */
function storageAlarm(
  { scope, owner, name }: HomeParts,
  props: UserHomesProps,
  fileSystem: EfsFileSystem,
): void {
  new CloudwatchMetricAlarm(scope, "storage-alarm", {
    alarmName: `${name}-storage`,
    alarmDescription: `FlightDeck: ${owner.id}'s home holds more than ${owner.alarmGiB} GiB. Ask them to tidy it, or raise homes.alarmGiB (or their homeAlarmGiB).`,
    namespace: "AWS/EFS",
    metricName: "StorageBytes",
    dimensions: { FileSystemId: fileSystem.id, StorageClass: "Total" },
    statistic: "Maximum",
    period: STORAGE_PERIOD_SECONDS,
    evaluationPeriods: 1,
    threshold: owner.alarmGiB * GIB,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    alarmActions: [props.alarmTopicArn],
    okActions: [props.alarmTopicArn],
  });
}
