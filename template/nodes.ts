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

/** The master's logical id: its CreationPolicy waits for the boot script's signal. */
export const MASTER_RESOURCE = "MasterInstance";

/** The subnet the cluster runs in: the first of the deployment's. */
const CLUSTER_SUBNET = { "Fn::Select": [0, ref("SubnetIds")] };

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
    FD_COMPUTE_INSTANCE: "${ComputeInstanceLabel}",
    FD_ASG: COMPUTE_GROUP_NAME,
    FD_NODE_TAG: NODE_TAG_KEY,
    FD_SIGNAL_RESOURCE: MASTER_RESOURCE,
    FD_USER_BUCKET: "${FlightDeckBucket}",
    FD_USER_PREFIX: "${UserHomePrefix}",
    FD_IDLE_MINUTES: "${IdleDeleteMinutes}",
  },
  // The compute instance's label (type-<vCPUs>C-<GiB>GB), from which the master sizes its nodes.
  variables: {
    ComputeInstanceLabel: ifCondition("ComputeIsOther", ref("ComputeInstanceTypeOther"), {
      "Fn::FindInMap": ["InstancePresets", ref("ComputeInstanceType"), "Label"],
    }),
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
    "compute.sh",
  ],
};

/**
 * What the master's compute node manager (flightdeck-nodes.py) may do: size
 * and shrink its own cluster's compute group, read groups and their scaling
 * activities (Describe calls take no resource), and name the group's
 * instances, with the node-name tag only. The group's MaxSize stays the cap
 * on instances, whatever a user with sudo on the master runs.
 */
function nodeManagerStatements() {
  return [
    allow(
      ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      sub(
        `arn:\${AWS::Partition}:autoscaling:\${AWS::Region}:\${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/${COMPUTE_GROUP_NAME}`,
      ),
    ),
    allow(["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScalingActivities"], "*"),
    allow(
      "ec2:CreateTags",
      sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*"),
      {
        StringEquals: { "aws:ResourceTag/aws:autoscaling:groupName": sub(COMPUTE_GROUP_NAME) },
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
          InstanceType: instanceType("Compute"),
          IamInstanceProfile: { Arn: getAtt("ComputeInstanceProfile", "Arn") },
          SecurityGroupIds: [ref("ClusterSecurityGroup"), ref("HomeSecurityGroup")],
          MetadataOptions: computeMetadataOptions,
          BlockDeviceMappings: rootVolume(16),
          // `terminate` on interruption: a stopped spot node cannot be in a placement group.
          InstanceMarketOptions: ifCondition(
            "UseSpot",
            {
              MarketType: "spot",
              SpotOptions: {
                SpotInstanceType: "one-time",
                InstanceInterruptionBehavior: "terminate",
                MaxPrice: ref("ComputeSpotPrice"),
              },
            },
            noValue,
          ),
          UserData: userDataFor(computeBoot),
        },
      },
    },
    // No DesiredCapacity: the group starts empty (MinSize) and the master's
    // node manager owns the desired capacity; a stack update cannot reset it.
    // Every instance stays in this group, so deleting the stack deletes the
    // group, and with it every compute instance, before the security groups.
    // One subnet, the master's: a cluster placement group lives in one zone.
    ComputeGroup: {
      Type: "AWS::AutoScaling::AutoScalingGroup",
      Properties: {
        AutoScalingGroupName: sub(COMPUTE_GROUP_NAME),
        LaunchTemplate: {
          LaunchTemplateId: ref(computeBoot.resource),
          Version: getAtt(computeBoot.resource, "LatestVersionNumber"),
        },
        MinSize: "0",
        MaxSize: ref("ComputeMaxNodes"),
        VPCZoneIdentifier: [CLUSTER_SUBNET],
        PlacementGroup: ifCondition("UsePlacementGroup", ref("ComputePlacementGroup"), noValue),
        Tags: [{ Key: "Name", Value: sub("${ClusterName}-compute"), PropagateAtLaunch: true }],
      },
    },
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
