import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";
import { OTHER_CHOICE, PRESET_MAPPING } from "./instance-types.js";
import { clusterParameters, ON_DEMAND_PRICES } from "./parameters.js";
import { bootMetadataFor, userDataFor, type BootSpec } from "./user-data.js";

/*
 * Generates template/cluster.json, FlightDeck's default cluster template: a
 * VPC with one public subnet, a login/master node running slurmctld and
 * exporting /home, and an Auto Scaling group of compute nodes that join Slurm
 * as dynamic nodes. Run `npx tsx template/build-template.ts` after changing
 * this file or template/boot/; a test fails while cluster.json is stale.
 */

/** The committed template. */
export const CLUSTER_TEMPLATE_PATH = fileURLToPath(new URL("./cluster.json", import.meta.url));

/** Fixed so the master's IAM policy and scaler can name it without a dependency cycle. */
export const COMPUTE_GROUP_NAME = "${AWS::StackName}-compute";

/**
 * The IAM path of the node roles and instance profiles: the deployment's
 * CloudFormation service role may create IAM resources under it only.
 */
export const NODE_IAM_PATH = "/flightdeck/";

/** The master's logical id: its CreationPolicy waits for the boot script's signal. */
export const MASTER_RESOURCE = "MasterInstance";

const ref = (name: string) => ({ Ref: name });
const sub = (text: string) => ({ "Fn::Sub": text });
const getAtt = (resource: string, attribute: string) => ({ "Fn::GetAtt": [resource, attribute] });
const ifCondition = (condition: string, whenTrue: unknown, whenFalse: unknown) => ({
  "Fn::If": [condition, whenTrue, whenFalse],
});
const noValue = ref("AWS::NoValue");
const nameTag = (suffix: string) => [{ Key: "Name", Value: sub(`\${ClusterName}-${suffix}`) }];

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

function rootVolume(size: unknown) {
  return [
    {
      DeviceName: "/dev/sda1",
      Ebs: { VolumeSize: size, VolumeType: "gp3", Encrypted: true, DeleteOnTermination: true },
    },
  ];
}

function allow(action: string | string[], resource: unknown, condition?: unknown) {
  return {
    Effect: "Allow",
    Action: action,
    Resource: resource,
    ...(condition === undefined ? {} : { Condition: condition }),
  };
}

/** What every node needs: its boot files, its customizers (own folder and default only), the munge key. */
function nodeStatements() {
  const folders = ["default", "${AccessUsername}"].map((f) => `\${CustomizerPrefix}/${f}/*`);
  return [
    allow(
      "s3:GetObject",
      folders.map((folder) => sub(`arn:\${AWS::Partition}:s3:::\${CustomizerBucket}/${folder}`)),
    ),
    allow("s3:ListBucket", sub("arn:${AWS::Partition}:s3:::${CustomizerBucket}"), {
      StringLike: { "s3:prefix": folders.map(sub) },
    }),
    allow("secretsmanager:GetSecretValue", ref("MungeKeySecret")),
    allow("cloudformation:DescribeStackResource", ref("AWS::StackId")),
  ];
}

function role(policyName: string, statements: unknown[]) {
  return {
    Type: "AWS::IAM::Role",
    Properties: {
      Path: NODE_IAM_PATH,
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
  FD_PROFILES: "${FlightProfiles}",
  FD_BUCKET: "${CustomizerBucket}",
  FD_PREFIX: "${CustomizerPrefix}",
  FD_MUNGE_SECRET: "${MungeKeySecret}",
};

function network() {
  return {
    Vpc: {
      Type: "AWS::EC2::VPC",
      Properties: {
        CidrBlock: "10.0.0.0/16",
        EnableDnsSupport: true,
        EnableDnsHostnames: true,
        Tags: nameTag("vpc"),
      },
    },
    InternetGateway: { Type: "AWS::EC2::InternetGateway", Properties: { Tags: nameTag("igw") } },
    GatewayAttachment: {
      Type: "AWS::EC2::VPCGatewayAttachment",
      Properties: { VpcId: ref("Vpc"), InternetGatewayId: ref("InternetGateway") },
    },
    // A /20 holds the master and ComputeMaxNodes' maximum of 1000 nodes.
    PublicSubnet: {
      Type: "AWS::EC2::Subnet",
      Properties: {
        VpcId: ref("Vpc"),
        CidrBlock: "10.0.0.0/20",
        AvailabilityZone: { "Fn::Select": [0, { "Fn::GetAZs": "" }] },
        MapPublicIpOnLaunch: true,
        Tags: nameTag("public"),
      },
    },
    RouteTable: {
      Type: "AWS::EC2::RouteTable",
      Properties: { VpcId: ref("Vpc"), Tags: nameTag("public") },
    },
    DefaultRoute: {
      Type: "AWS::EC2::Route",
      DependsOn: "GatewayAttachment",
      Properties: {
        RouteTableId: ref("RouteTable"),
        DestinationCidrBlock: "0.0.0.0/0",
        GatewayId: ref("InternetGateway"),
      },
    },
    PublicSubnetRouteTable: {
      Type: "AWS::EC2::SubnetRouteTableAssociation",
      Properties: { SubnetId: ref("PublicSubnet"), RouteTableId: ref("RouteTable") },
    },
    ClusterSecurityGroup: {
      Type: "AWS::EC2::SecurityGroup",
      Properties: {
        GroupDescription: "FlightDeck cluster nodes: all traffic between them",
        VpcId: ref("Vpc"),
        Tags: nameTag("nodes"),
      },
    },
    // Separate from the group itself: an inline self-reference is circular.
    ClusterSecurityGroupSelfIngress: {
      Type: "AWS::EC2::SecurityGroupIngress",
      Properties: {
        GroupId: ref("ClusterSecurityGroup"),
        IpProtocol: "-1",
        SourceSecurityGroupId: ref("ClusterSecurityGroup"),
        Description: "Slurm, NFS and MPI between cluster nodes",
      },
    },
    LoginSecurityGroup: {
      Type: "AWS::EC2::SecurityGroup",
      Properties: {
        GroupDescription: "FlightDeck login node: SSH from the access network",
        VpcId: ref("Vpc"),
        SecurityGroupIngress: [
          {
            IpProtocol: "tcp",
            FromPort: 22,
            ToPort: 22,
            CidrIp: ref("AccessNetwork"),
            Description: "SSH",
          },
        ],
        Tags: nameTag("login"),
      },
    },
  };
}

const masterBoot: BootSpec = {
  role: "master",
  resource: MASTER_RESOURCE,
  env: {
    ...commonEnv,
    FD_VPC_CIDR: "${Vpc.CidrBlock}",
    FD_MAX_NODES: "${ComputeMaxNodes}",
    FD_AUTOSCALING: "${AutoscalingPolicy}",
    FD_ASG: COMPUTE_GROUP_NAME,
    FD_SIGNAL_RESOURCE: MASTER_RESOURCE,
  },
  files: ["common.sh", "flightdeck-aws.py", "flightdeck-scaler.py", "master.sh"],
};

const computeBoot: BootSpec = {
  role: "slave",
  resource: "ComputeLaunchTemplate",
  env: { ...commonEnv, FD_MASTER_IP: `\${${MASTER_RESOURCE}.PrivateIp}` },
  files: ["common.sh", "flightdeck-aws.py", "compute.sh"],
};

function master() {
  const scaling = [
    allow(
      ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      sub(
        `arn:\${AWS::Partition}:autoscaling:\${AWS::Region}:\${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/${COMPUTE_GROUP_NAME}`,
      ),
    ),
    // Describe calls cannot be narrowed to one resource.
    allow(["autoscaling:DescribeAutoScalingGroups", "ec2:DescribeInstances"], "*"),
  ];
  return {
    MasterRole: role("flightdeck-master", [
      ...nodeStatements(),
      allow("cloudformation:SignalResource", ref("AWS::StackId")),
    ]),
    // Only a cluster with autoscaling may change its compute group.
    MasterScalingPolicy: {
      Type: "AWS::IAM::Policy",
      Condition: "AutoscalingEnabled",
      Properties: {
        PolicyName: "flightdeck-scaler",
        Roles: [ref("MasterRole")],
        PolicyDocument: { Version: "2012-10-17", Statement: scaling },
      },
    },
    MasterInstanceProfile: instanceProfile("MasterRole"),
    // Only for IMDSv2: older CloudFormation specs lack MetadataOptions on AWS::EC2::Instance.
    MasterLaunchTemplate: {
      Type: "AWS::EC2::LaunchTemplate",
      Properties: { LaunchTemplateData: { MetadataOptions: metadataOptions } },
    },
    [MASTER_RESOURCE]: {
      Type: "AWS::EC2::Instance",
      // The boot script installs from the internet: the route must exist first.
      DependsOn: ["DefaultRoute", "PublicSubnetRouteTable"],
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
        SubnetId: ref("PublicSubnet"),
        SecurityGroupIds: [ref("ClusterSecurityGroup"), ref("LoginSecurityGroup")],
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
          SecurityGroupIds: [ref("ClusterSecurityGroup")],
          MetadataOptions: metadataOptions,
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
    // DesiredCapacity is set (to ComputeInitialNodes): FlightDeck creates and
    // deletes stacks but never updates them, so the reset-on-update problem of
    // a set DesiredCapacity cannot arise, and it is the only way to start with
    // nodes. After creation the scaler owns the desired capacity.
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
        DesiredCapacity: ref("ComputeInitialNodes"),
        VPCZoneIdentifier: [ref("PublicSubnet")],
        PlacementGroup: ifCondition("UsePlacementGroup", ref("ComputePlacementGroup"), noValue),
        Tags: [{ Key: "Name", Value: sub("${ClusterName}-compute"), PropagateAtLaunch: true }],
      },
    },
  };
}

/** The default cluster template as a JSON value. */
export function buildClusterTemplate(): Record<string, unknown> {
  const isOther = (choice: string) => ({ "Fn::Equals": [ref(choice), OTHER_CHOICE] });
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description:
      "FlightDeck default cluster: Slurm on Ubuntu 24.04, a login/master node and auto-scaled compute nodes sharing /home.",
    Parameters: clusterParameters(),
    Mappings: { InstancePresets: PRESET_MAPPING },
    Conditions: {
      ComputeIsOther: isOther("ComputeInstanceType"),
      MasterIsOther: isOther("MasterInstanceType"),
      OnDemand: {
        "Fn::Or": ON_DEMAND_PRICES.map((price) => ({
          "Fn::Equals": [ref("ComputeSpotPrice"), price],
        })),
      },
      UseSpot: { "Fn::Not": [{ Condition: "OnDemand" }] },
      UsePlacementGroup: {
        "Fn::Equals": [
          { "Fn::FindInMap": ["InstancePresets", ref("ComputeInstanceType"), "PlacementGroup"] },
          "true",
        ],
      },
      AutoscalingEnabled: { "Fn::Equals": [ref("AutoscalingPolicy"), "enabled"] },
    },
    Resources: {
      ...network(),
      MungeKeySecret: {
        Type: "AWS::SecretsManager::Secret",
        Properties: {
          // Named after the stack, which is what the service role may create. CloudFormation
          // deletes secrets without a recovery window, so a re-created stack can reuse the name.
          Name: sub("${AWS::StackName}-munge-key"),
          Description: sub("Munge key of FlightDeck cluster ${ClusterName} (${AWS::StackName})"),
          GenerateSecretString: { PasswordLength: 128, ExcludePunctuation: true },
        },
      },
      ...master(),
      ...compute(),
    },
    Outputs: {
      LoginIp: {
        Description: "Public IP address of the login node",
        Value: getAtt(MASTER_RESOURCE, "PublicIp"),
      },
      LoginUser: { Description: "User name to log in with", Value: ref("AccessUsername") },
      ClusterName: { Description: "The cluster's name", Value: ref("ClusterName") },
    },
  };
}

/** cluster.json's exact text: the template formatted by the repository's prettier settings. */
export async function renderClusterTemplate(): Promise<string> {
  const options = await prettier.resolveConfig(CLUSTER_TEMPLATE_PATH);
  return prettier.format(JSON.stringify(buildClusterTemplate()), {
    ...options,
    filepath: CLUSTER_TEMPLATE_PATH,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(CLUSTER_TEMPLATE_PATH, await renderClusterTemplate());
  console.log(`wrote ${CLUSTER_TEMPLATE_PATH}`);
}
