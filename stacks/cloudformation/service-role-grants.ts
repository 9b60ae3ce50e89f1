import { NETWORK_GRANTS } from "./network-grants.js";
import { grantOn, grantOnAnyResource, grantTaggedOn, PASS_NODE_ROLE, type Grant } from "./grant.js";

/*
 * What CloudFormation needs, per resource type, to create, watch, roll back
 * and delete the cluster template's resources through the service role.
 * Sized from each type's documented create/read/delete handler permissions;
 * update-only actions are left out because FlightDeck never updates a stack.
 * A template that uses a type not listed here fails at synth, so a new
 * resource cannot quietly widen (or break) the role.
 */

/** Launching instances, directly or through an Auto Scaling group (which checks the caller may). */
const LAUNCH_INSTANCES: readonly Grant[] = [
  grantOn(
    "LaunchInstances",
    [
      "ec2:instance",
      "ec2:volume",
      "ec2:network-interface",
      "ec2:security-group",
      "ec2:subnet",
      "ec2:key-pair",
      "ec2:placement-group",
      "ec2:launch-template",
      "ec2:spot-instances-request",
      "ec2:image",
    ],
    "ec2:RunInstances",
  ),
  grantOn(
    "TagLaunchedInstances",
    ["ec2:instance", "ec2:volume", "ec2:network-interface", "ec2:spot-instances-request"],
    "ec2:CreateTags",
  ),
  grantOnAnyResource(
    "ec2:DescribeImages",
    "ec2:DescribeInstanceStatus",
    "ec2:DescribeInstances",
    "ec2:DescribeKeyPairs",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeVolumes",
  ),
  PASS_NODE_ROLE,
];

/** Associating an address with an instance, and undoing it (which names no instance). */
const ADDRESS_ASSOCIATIONS: readonly Grant[] = [
  grantOn(
    "AssociateElasticIps",
    ["ec2:elastic-ip", "ec2:instance", "ec2:network-interface"],
    "ec2:AssociateAddress",
  ),
  grantOn(
    "DisassociateElasticIps",
    ["ec2:elastic-ip", "ec2:network-interface"],
    "ec2:DisassociateAddress",
  ),
];

/**
 * Creating a node role and writing its inline policies: only for a role that
 * carries the deployment's permissions boundary, so no role a cluster
 * creates can do more than the boundary allows, whatever its policies say.
 */
const BOUNDED_NODE_ROLES: Grant = {
  sid: "BoundedNodeRoles",
  actions: ["iam:CreateRole", "iam:DeleteRolePolicy", "iam:PutRolePolicy"],
  resources: ["iam:node-role"],
  condition: "node-permissions-boundary",
};

/** The grants for each CloudFormation resource type the template may use. */
export const GRANTS_BY_TYPE: Readonly<Record<string, readonly Grant[]>> = {
  ...NETWORK_GRANTS,
  "AWS::EC2::PlacementGroup": [
    grantOn(
      "PlacementGroups",
      ["ec2:placement-group"],
      "ec2:CreatePlacementGroup",
      "ec2:CreateTags",
    ),
    grantTaggedOn(
      "DeleteTaggedPlacementGroups",
      ["ec2:placement-group"],
      "ec2:DeletePlacementGroup",
    ),
    grantOnAnyResource("ec2:DescribePlacementGroups"),
  ],
  "AWS::EC2::Instance": [
    ...LAUNCH_INSTANCES,
    grantTaggedOn("TerminateTaggedInstances", ["ec2:instance"], "ec2:TerminateInstances"),
  ],
  "AWS::EC2::EIP": [
    grantOn("ElasticIps", ["ec2:elastic-ip"], "ec2:AllocateAddress", "ec2:CreateTags"),
    grantTaggedOn("ReleaseTaggedElasticIps", ["ec2:elastic-ip"], "ec2:ReleaseAddress"),
    ...ADDRESS_ASSOCIATIONS,
    grantOnAnyResource("ec2:DescribeAddresses"),
  ],
  "AWS::EC2::EIPAssociation": [
    ...ADDRESS_ASSOCIATIONS,
    grantOnAnyResource("ec2:DescribeAddresses"),
  ],
  "AWS::EC2::LaunchTemplate": [
    grantOn(
      "LaunchTemplates",
      ["ec2:launch-template"],
      "ec2:CreateLaunchTemplate",
      "ec2:CreateTags",
      "ec2:DeleteLaunchTemplate",
    ),
    grantOnAnyResource("ec2:DescribeLaunchTemplateVersions", "ec2:DescribeLaunchTemplates"),
    PASS_NODE_ROLE,
  ],
  "AWS::AutoScaling::AutoScalingGroup": [
    // Deleting a group first sets its size to zero (UpdateAutoScalingGroup).
    grantOn(
      "AutoScalingGroups",
      ["autoscaling:group"],
      "autoscaling:CreateAutoScalingGroup",
      "autoscaling:CreateOrUpdateTags",
    ),
    grantTaggedOn(
      "ChangeTaggedAutoScalingGroups",
      ["autoscaling:group"],
      "autoscaling:DeleteAutoScalingGroup",
      "autoscaling:UpdateAutoScalingGroup",
    ),
    grantOnAnyResource(
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeScalingActivities",
    ),
    ...LAUNCH_INSTANCES,
    // The group launches with Auto Scaling's service-linked role, created on first use in an account.
    {
      sid: "CreateAutoScalingServiceLinkedRole",
      actions: ["iam:CreateServiceLinkedRole"],
      resources: ["iam:autoscaling-service-linked-role"],
      condition: "autoscaling-service-linked-role",
    },
  ],
  "AWS::IAM::Role": [
    grantOn(
      "NodeRoles",
      ["iam:node-role"],
      "iam:DeleteRole",
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole",
      "iam:ListRolePolicies",
      "iam:TagRole",
    ),
    BOUNDED_NODE_ROLES,
  ],
  "AWS::IAM::InstanceProfile": [
    grantOn(
      "NodeInstanceProfiles",
      ["iam:node-instance-profile"],
      "iam:AddRoleToInstanceProfile",
      "iam:CreateInstanceProfile",
      "iam:DeleteInstanceProfile",
      "iam:GetInstanceProfile",
      "iam:RemoveRoleFromInstanceProfile",
      "iam:TagInstanceProfile",
    ),
    // Adding a role to a profile counts as passing it.
    PASS_NODE_ROLE,
  ],
  "AWS::IAM::Policy": [
    grantOn("NodeRoles", ["iam:node-role"], "iam:GetRolePolicy"),
    BOUNDED_NODE_ROLES,
  ],
  "AWS::SecretsManager::Secret": [
    grantOn(
      "StackSecrets",
      ["secretsmanager:stack-secret"],
      "secretsmanager:CreateSecret",
      "secretsmanager:DeleteSecret",
      "secretsmanager:DescribeSecret",
      "secretsmanager:RemoveRegionsFromReplication",
      "secretsmanager:TagResource",
    ),
    // GenerateSecretString: CloudFormation asks Secrets Manager for the value.
    grantOnAnyResource("secretsmanager:GetRandomPassword"),
  ],
};

/** Attaching AWS-managed policies named in a role's `ManagedPolicyArns`, and only those. */
export const ATTACH_LISTED_POLICIES: Grant = {
  sid: "AttachListedManagedPolicies",
  actions: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
  resources: ["iam:node-role"],
  condition: "listed-managed-policies",
};
