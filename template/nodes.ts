import { COMPUTE_TYPES_PARAMETER, MAX_COMPUTE_TYPES } from "../functions/shared/compute-types.js";
import {
  NODE_BOUNDARY_PARAMETER,
  NODE_IAM_PATH,
  NODE_TAG_KEY,
} from "../functions/shared/template-contract.js";
import { allow, getAtt, ifCondition, nameTag, noValue, ref, sub } from "./intrinsics.js";
import { bootMetadataFor, userDataFor, type BootSpec } from "./user-data.js";

/*
 * The cluster's nodes: the munge key, the nodes' shared SSH host key, the
 * login/master node running slurmctld, and the compute nodes' launch template
 * and Auto Scaling group, each with the least IAM its boot scripts need.
 * Every node mounts the owner's home (their own EFS file system, built by the
 * deployment) at /home/<login>, and carries the home's client security group,
 * the only group its mount targets admit.
 */

/** Fixed so the master's IAM policy and node manager can name it without a dependency cycle. */
export const COMPUTE_GROUP_NAME = "${AWS::StackName}-compute";

/** The on-demand group pending nodes fall back to when spot fails (where the limits allow it). */
export const FALLBACK_GROUP_NAME = "${AWS::StackName}-compute-on-demand";

/** The master's logical id: its CreationPolicy waits for the boot script's signal. */
export const MASTER_RESOURCE = "MasterInstance";

/** The master's subnet: the first of the deployment's. */
const CLUSTER_SUBNET = { "Fn::Select": [0, ref("SubnetIds")] };

/**
 * The compute groups' subnets: every zone of the deployment, so that the
 * groups can launch wherever a pool has capacity; the master's alone for a
 * cluster placement group, which lives in one zone.
 */
const COMPUTE_SUBNETS = ifCondition("UsePlacementGroup", [CLUSTER_SUBNET], ref("SubnetIds"));

/**
 * The `index`th label of ComputeInstanceTypes, or "" past its end: the list
 * is padded with empty items so that Fn::Select never runs off it.
 */
export function computeTypeSlot(index: number) {
  const padded = sub(`\${${COMPUTE_TYPES_PARAMETER}}${",".repeat(MAX_COMPUTE_TYPES - 1)}`);
  return { "Fn::Select": [index, { "Fn::Split": [",", padded] }] };
}

/** The EC2 type of a label: `c7i.large-2C-4GB` → `c7i.large`. */
const typeOfLabel = (label: unknown) => ({ "Fn::Select": [0, { "Fn::Split": ["-", label] }] });

/** The EC2 type a role's choice selects: the label's type for `other`, else the preset's. */
function instanceType(role: "Compute" | "Master") {
  return ifCondition(
    `${role}IsOther`,
    { "Fn::Select": [0, { "Fn::Split": ["-", ref(`${role}InstanceTypeOther`)] }] },
    { "Fn::FindInMap": ["InstancePresets", ref(`${role}InstanceType`), "InstanceType"] },
  );
}

const metadataOptions = {
  HttpTokens: "required",
  HttpEndpoint: "enabled",
  HttpPutResponseHopLimit: 1,
};

/** Compute nodes also read their instance tags from the metadata: their Slurm node name. */
const computeMetadataOptions = { ...metadataOptions, InstanceMetadataTags: "enabled" };

function rootVolume(size: unknown) {
  return [
    {
      DeviceName: "/dev/sda1",
      Ebs: { VolumeSize: size, VolumeType: "gp3", Encrypted: true, DeleteOnTermination: true },
    },
  ];
}

/**
 * What every node needs: its boot files, its customizers (own folder and
 * default only), the munge key. The owner's folder is `FlightProfiles` (their
 * user id); `AccessUsername` is their Linux login, which may differ.
 */
function nodeStatements() {
  const folders = ["default", "${FlightProfiles}"].map((f) => `\${CustomizerPrefix}/${f}/*`);
  return [
    allow(
      "s3:GetObject",
      folders.map((folder) => sub(`arn:\${AWS::Partition}:s3:::\${CustomizerBucket}/${folder}`)),
    ),
    allow("s3:ListBucket", sub("arn:${AWS::Partition}:s3:::${CustomizerBucket}"), {
      StringLike: { "s3:prefix": folders.map(sub) },
    }),
    allow("secretsmanager:GetSecretValue", [ref("MungeKeySecret"), ref("NodeHostKeySecret")]),
    allow("cloudformation:DescribeStackResource", ref("AWS::StackId")),
  ];
}

function role(policyName: string, statements: unknown[]) {
  return {
    Type: "AWS::IAM::Role",
    Properties: {
      Path: NODE_IAM_PATH,
      PermissionsBoundary: ref(NODE_BOUNDARY_PARAMETER),
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: sub("ec2.${AWS::URLSuffix}") },
            Action: "sts:AssumeRole",
          },
        ],
      },
      Policies: [
        {
          PolicyName: policyName,
          PolicyDocument: { Version: "2012-10-17", Statement: statements },
        },
      ],
    },
  };
}

const instanceProfile = (roleName: string) => ({
  Type: "AWS::IAM::InstanceProfile",
  Properties: { Path: NODE_IAM_PATH, Roles: [ref(roleName)] },
});

/** boot.env values both roles share. */
const commonEnv = {
  FD_REGION: "${AWS::Region}",
  FD_STACK: "${AWS::StackName}",
  FD_CLUSTER: "${ClusterName}",
  FD_USER: "${AccessUsername}",
  FD_UID: "${AccessUid}",
  FD_PROFILES: "${FlightProfiles}",
  FD_BUCKET: "${CustomizerBucket}",
  FD_PREFIX: "${CustomizerPrefix}",
  FD_MUNGE_SECRET: "${MungeKeySecret}",
  FD_HOST_KEY_SECRET: "${NodeHostKeySecret}",
  // EFS's name for the file system: it resolves to the mount target in the node's own zone.
  FD_HOME_HOST: "${HomeFileSystem}.efs.${AWS::Region}.${AWS::URLSuffix}",
};

const masterBoot: BootSpec = {
  role: "master",
  resource: MASTER_RESOURCE,
  env: {
    ...commonEnv,
    FD_MAX_NODES: "${ComputeMaxNodes}",
    FD_INITIAL_NODES: "${ComputeInitialNodes}",
    FD_AUTOSCALING: "${AutoscalingPolicy}",
    FD_COMPUTE_INSTANCES: "${ComputeInstanceLabels}",
    FD_ASG: COMPUTE_GROUP_NAME,
    FD_ASG_FALLBACK: "${FallbackGroupName}",
    FD_COMPUTE_MARKET: "${ComputeMarket}",
    FD_SPOT_FALLBACK_MINUTES: "${SpotFallbackMinutes}",
    FD_ON_DEMAND_ALLOWED: "${ComputeOnDemandAllowed}",
    FD_NODE_TAG: NODE_TAG_KEY,
    FD_SIGNAL_RESOURCE: MASTER_RESOURCE,
    FD_USER_BUCKET: "${FlightDeckBucket}",
    FD_USER_PREFIX: "${UserHomePrefix}",
    FD_IDLE_MINUTES: "${IdleDeleteMinutes}",
  },
  // The compute types' labels (type-<vCPUs>C-<GiB>GB), from which the master
  // sizes its nodes (the smallest of each); the fallback group, if any.
  variables: {
    ComputeInstanceLabels: ifCondition(
      "HasComputeTypes",
      ref(COMPUTE_TYPES_PARAMETER),
      ifCondition("ComputeIsOther", ref("ComputeInstanceTypeOther"), {
        "Fn::FindInMap": ["InstancePresets", ref("ComputeInstanceType"), "Label"],
      }),
    ),
    FallbackGroupName: ifCondition("UseOnDemandFallback", sub(FALLBACK_GROUP_NAME), ""),
    ComputeMarket: ifCondition("UseSpot", "spot", "on-demand"),
  },
  files: [
    "common.sh",
    "day-one.sh",
    "flightdeck-aws.py",
    "flightdeck-nodes.py",
    "flightdeck-node-connect.py",
    "flightdeck-idle.py",
    "master.sh",
  ],
};

const computeBoot: BootSpec = {
  role: "slave",
  resource: "ComputeLaunchTemplate",
  env: {
    ...commonEnv,
    FD_MASTER_IP: `\${${MASTER_RESOURCE}.PrivateIp}`,
    FD_MASTER_NAME: `\${${MASTER_RESOURCE}.PrivateDnsName}`,
    FD_NODE_TAG: NODE_TAG_KEY,
  },
  files: [
    "common.sh",
    "day-one.sh",
    "flightdeck-aws.py",
    "flightdeck-node-connect.py",
    "flightdeck-interruptions.py",
    "compute.sh",
  ],
};

/**
 * What the master's compute node manager (flightdeck-nodes.py) may do: size
 * and shrink its own cluster's compute groups (the main one and the
 * on-demand fallback, which exists only where the limits allow on-demand),
 * read groups and their scaling activities (Describe calls take no
 * resource), and name the groups' instances, with the node-name tag only.
 * Each group's MaxSize stays a cap AWS enforces, whatever a user with sudo
 * on the master runs.
 */
function nodeManagerStatements() {
  const groupArn = (name: string) =>
    sub(
      `arn:\${AWS::Partition}:autoscaling:\${AWS::Region}:\${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/${name}`,
    );
  return [
    allow(
      ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      [groupArn(COMPUTE_GROUP_NAME), groupArn(FALLBACK_GROUP_NAME)],
    ),
    allow(["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScalingActivities"], "*"),
    allow(
      "ec2:CreateTags",
      sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*"),
      {
        StringEquals: {
          "aws:ResourceTag/aws:autoscaling:groupName": [
            sub(COMPUTE_GROUP_NAME),
            sub(FALLBACK_GROUP_NAME),
          ],
        },
        "ForAllValues:StringEquals": { "aws:TagKeys": [NODE_TAG_KEY] },
      },
    ),
  ];
}

/**
 * The one key the master's idle watcher (flightdeck-idle.py) may write: its
 * own cluster's `.cf-delete` in its owner's home, the file a user would drop.
 * Nothing else in the users' bucket: not another key, not a read.
 */
export const IDLE_DELETE_KEY =
  "arn:${AWS::Partition}:s3:::${FlightDeckBucket}/${UserHomePrefix}/${ClusterName}.cf-delete";

/**
 * flightdeck-sync on the master: write the user's results for this cluster,
 * `<UserHomePrefix>/results/<ClusterName>/…` in the FlightDeck bucket, and
 * nothing else there (not another cluster's results, nor the trigger files).
 */
function resultsStatements() {
  return [
    allow(
      "s3:PutObject",
      sub(
        "arn:${AWS::Partition}:s3:::${FlightDeckBucket}/${UserHomePrefix}/results/${ClusterName}/*",
      ),
    ),
  ];
}

function master() {
  return {
    MasterRole: role("flightdeck-master", [
      ...nodeStatements(),
      allow("cloudformation:SignalResource", ref("AWS::StackId")),
      ...nodeManagerStatements(),
      allow("s3:PutObject", sub(IDLE_DELETE_KEY)),
      ...resultsStatements(),
    ]),
    MasterInstanceProfile: instanceProfile("MasterRole"),
    // Only for IMDSv2: older CloudFormation specs lack MetadataOptions on AWS::EC2::Instance.
    MasterLaunchTemplate: {
      Type: "AWS::EC2::LaunchTemplate",
      Properties: { LaunchTemplateData: { MetadataOptions: metadataOptions } },
    },
    [MASTER_RESOURCE]: {
      Type: "AWS::EC2::Instance",
      CreationPolicy: { ResourceSignal: { Count: 1, Timeout: "PT30M" } },
      Metadata: bootMetadataFor(masterBoot),
      Properties: {
        LaunchTemplate: {
          LaunchTemplateId: ref("MasterLaunchTemplate"),
          Version: getAtt("MasterLaunchTemplate", "LatestVersionNumber"),
        },
        ImageId: ref("ImageId"),
        InstanceType: instanceType("Master"),
        IamInstanceProfile: ref("MasterInstanceProfile"),
        SubnetId: CLUSTER_SUBNET,
        SecurityGroupIds: [
          ref("ClusterSecurityGroup"),
          ref("LoginSecurityGroup"),
          ref("HomeSecurityGroup"),
        ],
        BlockDeviceMappings: rootVolume(ref("MasterSystemVolumeSize")),
        UserData: userDataFor(masterBoot),
        Tags: nameTag("master"),
      },
    },
  };
}

/**
 * A compute group over the launch template: every type of ComputeInstanceTypes
 * (or the one ComputeInstanceType selects), in every subnet. Spot goes in the
 * group's instances distribution, not the launch template, which a mixed
 * instances policy refuses when it asks for spot.
 */
function computeGroup(name: string, distribution: Record<string, unknown>, condition?: string) {
  const slots = Array.from({ length: MAX_COMPUTE_TYPES - 1 }, (_, i) =>
    ifCondition(
      `HasComputeType${i + 1}`,
      { InstanceType: typeOfLabel(computeTypeSlot(i + 1)) },
      noValue,
    ),
  );
  return {
    Type: "AWS::AutoScaling::AutoScalingGroup",
    ...(condition === undefined ? {} : { Condition: condition }),
    Properties: {
      AutoScalingGroupName: sub(name),
      MixedInstancesPolicy: {
        InstancesDistribution: distribution,
        LaunchTemplate: {
          LaunchTemplateSpecification: {
            LaunchTemplateId: ref(computeBoot.resource),
            Version: getAtt(computeBoot.resource, "LatestVersionNumber"),
          },
          Overrides: ifCondition(
            "HasComputeTypes",
            [{ InstanceType: typeOfLabel(computeTypeSlot(0)) }, ...slots],
            [{ InstanceType: instanceType("Compute") }],
          ),
        },
      },
      // No replacement launched ahead of a spot interruption: it would
      // terminate the old instance, job and all, once the new one runs. The
      // nodes drain themselves instead (flightdeck-interruptions.py).
      CapacityRebalance: false,
      MinSize: "0",
      MaxSize: ref("ComputeMaxNodes"),
      VPCZoneIdentifier: COMPUTE_SUBNETS,
      PlacementGroup: ifCondition("UsePlacementGroup", ref("ComputePlacementGroup"), noValue),
      Tags: [{ Key: "Name", Value: sub("${ClusterName}-compute"), PropagateAtLaunch: true }],
    },
  };
}

function compute() {
  return {
    ComputeRole: role("flightdeck-compute", nodeStatements()),
    ComputeInstanceProfile: instanceProfile("ComputeRole"),
    ComputePlacementGroup: {
      Type: "AWS::EC2::PlacementGroup",
      Condition: "UsePlacementGroup",
      Properties: { Strategy: "cluster" },
    },
    [computeBoot.resource]: {
      Type: "AWS::EC2::LaunchTemplate",
      Metadata: bootMetadataFor(computeBoot),
      Properties: {
        LaunchTemplateData: {
          ImageId: ref("ImageId"),
          // The groups' overrides choose the type; this one is the first.
          InstanceType: ifCondition(
            "HasComputeTypes",
            typeOfLabel(computeTypeSlot(0)),
            instanceType("Compute"),
          ),
          IamInstanceProfile: { Arn: getAtt("ComputeInstanceProfile", "Arn") },
          SecurityGroupIds: [ref("ClusterSecurityGroup"), ref("HomeSecurityGroup")],
          MetadataOptions: computeMetadataOptions,
          BlockDeviceMappings: rootVolume(16),
          UserData: userDataFor(computeBoot),
        },
      },
    },
    // No DesiredCapacity: the groups start empty (MinSize) and the master's
    // node manager owns their desired capacities; a stack update cannot
    // reset them. Every instance stays in a group, so deleting the stack
    // deletes the groups, and with them every compute instance, before the
    // security groups.
    // Spot at the user's cap, from the pools with the most capacity at the
    // lowest price; or on-demand, at the lowest price, when the cap is 0.
    // `terminate` is the only interruption behaviour a group's spot has.
    ComputeGroup: computeGroup(COMPUTE_GROUP_NAME, {
      OnDemandAllocationStrategy: "lowest-price",
      OnDemandBaseCapacity: 0,
      OnDemandPercentageAboveBaseCapacity: ifCondition("UseSpot", 0, 100),
      SpotAllocationStrategy: "price-capacity-optimized",
      SpotMaxPrice: ifCondition("UseSpot", ref("ComputeSpotPrice"), noValue),
    }),
    // Where spot has failed for SpotFallbackMinutes and the limits allow
    // on-demand, the node manager launches waiting nodes here instead.
    ComputeOnDemandGroup: computeGroup(
      FALLBACK_GROUP_NAME,
      {
        OnDemandAllocationStrategy: "lowest-price",
        OnDemandBaseCapacity: 0,
        OnDemandPercentageAboveBaseCapacity: 100,
      },
      "UseOnDemandFallback",
    ),
  };
}

/**
 * A secret the cluster's nodes read at boot, generated by CloudFormation.
 * Named after the stack, which is what the service role may create.
 * CloudFormation deletes secrets without a recovery window, so a re-created
 * stack can reuse the name.
 */
function stackSecret(suffix: string, description: string, length: number) {
  return {
    Type: "AWS::SecretsManager::Secret",
    Properties: {
      Name: sub(`\${AWS::StackName}-${suffix}`),
      Description: sub(`${description} of FlightDeck cluster \${ClusterName} (\${AWS::StackName})`),
      GenerateSecretString: { PasswordLength: length, ExcludePunctuation: true },
    },
  };
}

/**
 * The cluster's secrets: the munge key, and the seed every node derives the
 * cluster's one SSH host key from (flightdeck-aws.py host-key), so that a
 * cluster-wide known_hosts names every node, even one not launched yet.
 */
function secrets() {
  return {
    MungeKeySecret: stackSecret("munge-key", "Munge key", 128),
    NodeHostKeySecret: stackSecret("node-host-key", "Seed of the SSH host key", 64),
  };
}

/** Every node resource of the template: secrets, master and compute. */
export function nodeResources(): Record<string, unknown> {
  return { ...secrets(), ...master(), ...compute() };
}
