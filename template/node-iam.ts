import {
  NODE_BOUNDARY_PARAMETER,
  NODE_IAM_PATH,
  NODE_TAG_KEY,
} from "../functions/shared/template-contract.js";
import { allow, ref, sub } from "./intrinsics.js";
import { COMPUTE_GROUP_NAME, FALLBACK_GROUP_NAME } from "./node-common.js";

/*
 * The nodes' IAM: a role and instance profile for each kind of node, with
 * the least its boot scripts and daemons need, under the deployment's
 * permissions boundary and path.
 */

/**
 * What every node needs: its boot files, its customizers (own folder and
 * default only), the munge key. The owner's folder is `FlightProfiles` (their
 * user id); `AccessUsername` is their Linux login, which may differ.
 */
export function nodeStatements() {
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
const IDLE_DELETE_KEY =
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

/**
 * The master's: a node's, plus the signal its CreationPolicy waits for, the
 * node manager's, the idle watcher's one key and flightdeck-sync's results.
 */
export function masterStatements() {
  return [
    ...nodeStatements(),
    allow("cloudformation:SignalResource", ref("AWS::StackId")),
    ...nodeManagerStatements(),
    allow("s3:PutObject", sub(IDLE_DELETE_KEY)),
    ...resultsStatements(),
  ];
}

/** A role EC2 instances assume, with one inline policy, under the node boundary and path. */
export function nodeRole(policyName: string, statements: unknown[]) {
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

/** The instance profile that gives `roleName` to an instance. */
export const instanceProfile = (roleName: string) => ({
  Type: "AWS::IAM::InstanceProfile",
  Properties: { Path: NODE_IAM_PATH, Roles: [ref(roleName)] },
});
