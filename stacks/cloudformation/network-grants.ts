import {
  grantOn,
  grantOnAnyResource,
  grantTaggedOn,
  type Grant,
  type ResourceKind,
} from "./grant.js";

/*
 * A cluster's network is its security groups, in the deployment's shared VPC:
 * the role may create groups only in that VPC. Clusters build no VPC, subnet,
 * internet gateway or route of their own, so the role cannot create those at
 * all (a template that tries fails at synth: no grants for the type). It may
 * still delete them, tagged as this deployment's, for the stacks created
 * before the network was shared: CloudFormation deletes a stack with the
 * role it was created with, which is this one.
 */

const SECURITY_GROUP_READ = grantOnAnyResource(
  "ec2:DescribeSecurityGroupRules",
  "ec2:DescribeSecurityGroups",
);
const SECURITY_GROUP_RULES: readonly ResourceKind[] = [
  "ec2:security-group",
  "ec2:security-group-rule",
];

/** CreateSecurityGroup names the new group and the VPC: the VPC must be the deployment's. */
const CREATE_IN_DEPLOYMENT_VPC: Grant = {
  sid: "SecurityGroupsInDeploymentVpc",
  actions: ["ec2:CreateSecurityGroup"],
  resources: ["ec2:deployment-vpc"],
  condition: "deployment-vpc",
};

/** The grants for the network resource types a cluster template may use. */
export const NETWORK_GRANTS: Readonly<Record<string, readonly Grant[]>> = {
  "AWS::EC2::SecurityGroup": [
    CREATE_IN_DEPLOYMENT_VPC,
    grantOn("SecurityGroups", ["ec2:security-group"], "ec2:CreateSecurityGroup", "ec2:CreateTags"),
    grantTaggedOn("DeleteTaggedSecurityGroups", ["ec2:security-group"], "ec2:DeleteSecurityGroup"),
    // CloudFormation replaces the default allow-all egress rule with the template's.
    grantOn(
      "AuthorizeSecurityGroupRules",
      SECURITY_GROUP_RULES,
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:AuthorizeSecurityGroupIngress",
    ),
    grantOn(
      "RevokeSecurityGroupRules",
      ["ec2:security-group"],
      "ec2:RevokeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
    ),
    SECURITY_GROUP_READ,
    // CloudFormation reads the group's VPC.
    grantOnAnyResource("ec2:DescribeVpcs"),
  ],
  "AWS::EC2::SecurityGroupIngress": [
    grantOn(
      "AuthorizeSecurityGroupRules",
      SECURITY_GROUP_RULES,
      "ec2:AuthorizeSecurityGroupIngress",
    ),
    grantOn("RevokeSecurityGroupRules", ["ec2:security-group"], "ec2:RevokeSecurityGroupIngress"),
    SECURITY_GROUP_READ,
  ],
  "AWS::EC2::SecurityGroupEgress": [
    grantOn(
      "AuthorizeSecurityGroupRules",
      SECURITY_GROUP_RULES,
      "ec2:AuthorizeSecurityGroupEgress",
    ),
    grantOn("RevokeSecurityGroupRules", ["ec2:security-group"], "ec2:RevokeSecurityGroupEgress"),
    SECURITY_GROUP_READ,
  ],
};

/**
 * Deleting the network of a stack created before the network was shared:
 * its VPC, subnet, internet gateway (detached first), route table, routes
 * and associations, each only when it carries this deployment's tags. No
 * create: the role builds no network any more.
 */
export const OWN_NETWORK_DELETES: readonly Grant[] = [
  grantTaggedOn("DeleteTaggedVpcs", ["ec2:vpc"], "ec2:DeleteVpc"),
  grantTaggedOn("DeleteTaggedSubnets", ["ec2:subnet"], "ec2:DeleteSubnet"),
  grantTaggedOn(
    "DeleteTaggedInternetGateways",
    ["ec2:internet-gateway"],
    "ec2:DeleteInternetGateway",
  ),
  grantTaggedOn(
    "DetachTaggedGateways",
    ["ec2:internet-gateway", "ec2:vpc"],
    "ec2:DetachInternetGateway",
  ),
  grantTaggedOn(
    "DeleteTaggedRouteTables",
    ["ec2:route-table"],
    "ec2:DeleteRoute",
    "ec2:DeleteRouteTable",
  ),
  grantTaggedOn(
    "DisassociateTaggedRouteTables",
    ["ec2:route-table", "ec2:subnet"],
    "ec2:DisassociateRouteTable",
  ),
  grantOnAnyResource(
    "ec2:DescribeInternetGateways",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
  ),
];
