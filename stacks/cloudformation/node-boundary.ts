import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy/index.js";
import { Construct } from "constructs";
import { FILE_SUFFIXES, HOME_PREFIX } from "../../functions/shared/result-files.js";
import { NODE_IAM_PATH, NODE_TAG_KEY } from "../../functions/shared/template-contract.js";
import { regionalArn, s3Arn, stackArnPattern, type ArnScope } from "../iam/arns.js";
import { policyDocument, policyJson, type PolicyStatement } from "../iam/policy-document.js";

/** What the boundary's resources depend on. */
export interface NodeBoundaryScope {
  readonly scope: ArnScope;
  readonly stackPrefix: string;
  readonly customizerBucket: string;
  readonly customizerPrefix: string;
  /** The bucket of users' homes: masters copy results into `home/<user>/results/` and put an idle cluster's `.cf-delete`. */
  readonly userBucket: string;
}

/**
 * The most any role a cluster creates may do, whatever its own policies say:
 * read the customizer scripts, write results under users' `home/<user>/results/`,
 * put a `.cf-delete` (an idle master's request for its own deletion),
 * read its stack's secrets, signal and describe
 * FlightDeck stacks, and scale FlightDeck's compute groups and name their
 * instances (the template's node manager on the master). A template whose
 * nodes need more must widen this (and say why): a node role's own policy
 * grants nothing beyond it.
 */
// eslint-disable-next-line max-lines-per-function -- the boundary is one list of statements, read whole: all a cluster role may ever do
export function nodeBoundaryStatements(context: NodeBoundaryScope): PolicyStatement[] {
  const { scope, stackPrefix } = context;
  const computeGroups = regionalArn(
    scope,
    "autoscaling",
    `autoScalingGroup:*:autoScalingGroupName/${stackPrefix}-*`,
  );
  return [
    {
      Sid: "ReadCustomizerScripts",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [s3Arn(scope, context.customizerBucket, `${context.customizerPrefix}/*`)],
    },
    {
      Sid: "ListCustomizerScripts",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [s3Arn(scope, context.customizerBucket)],
      Condition: { StringLike: { "s3:prefix": `${context.customizerPrefix}/*` } },
    },
    {
      // An idle master asks for its own deletion through the file protocol;
      // its role narrows this to its own cluster's one key.
      Sid: "RequestOwnDeletion",
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: [s3Arn(scope, context.userBucket, `${HOME_PREFIX}*/*${FILE_SUFFIXES.delete}`)],
    },
    {
      // flightdeck-sync; each master's own role narrows it to its user and cluster.
      Sid: "WriteClusterResults",
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: [s3Arn(scope, context.userBucket, `${HOME_PREFIX}*/results/*`)],
    },
    {
      Sid: "ReadClusterSecrets",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: [regionalArn(scope, "secretsmanager", `secret:${stackPrefix}-*`)],
    },
    {
      Sid: "SignalOwnStack",
      Effect: "Allow",
      Action: ["cloudformation:DescribeStackResource", "cloudformation:SignalResource"],
      Resource: [stackArnPattern(scope, stackPrefix)],
    },
    {
      Sid: "ScaleComputeGroups",
      Effect: "Allow",
      Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      Resource: [computeGroups],
    },
    {
      // Describe calls take no resource. No ec2:DescribeInstances: the master
      // learns its nodes' addresses from Slurm, not from EC2.
      Sid: "DescribeComputeGroups",
      Effect: "Allow",
      Action: ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScalingActivities"],
      Resource: "*",
    },
    {
      Sid: "NameComputeNodes",
      Effect: "Allow",
      Action: ["ec2:CreateTags"],
      Resource: [regionalArn(scope, "ec2", "instance/*")],
      Condition: {
        StringLike: { "aws:ResourceTag/aws:autoscaling:groupName": `${stackPrefix}-*` },
        "ForAllValues:StringEquals": { "aws:TagKeys": [NODE_TAG_KEY] },
      },
    },
  ];
}

/** Properties of the {@link NodeBoundary}. */
export interface NodeBoundaryProps extends NodeBoundaryScope {
  readonly policyName: string;
}

/**
 * The permissions boundary the deployment ships: a managed policy under
 * `/flightdeck/`, which the service role must attach as the boundary of
 * every role it creates.
 */
export class NodeBoundary extends Construct {
  readonly policy: IamPolicy;

  constructor(scope: Construct, id: string, props: NodeBoundaryProps) {
    super(scope, id);
    this.policy = new IamPolicy(this, "policy", {
      name: props.policyName,
      path: NODE_IAM_PATH,
      description: "FlightDeck: the permissions boundary of every role a cluster stack creates.",
      policy: policyJson(policyDocument(nodeBoundaryStatements(props))),
    });
  }
}
