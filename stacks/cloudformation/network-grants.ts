import { describe, on, type Grant, type ResourceKind } from "./grant.js";

/*
 * The cluster's network: VPC, subnet, internet gateway, routes and security
 * groups. Each create acts on the new resource and the VPC it goes in.
 */

const ROUTE_TABLE_READ = describe("ec2:DescribeRouteTables");
const SECURITY_GROUP_READ = describe(
  "ec2:DescribeSecurityGroupRules",
  "ec2:DescribeSecurityGroups",
);
const SECURITY_GROUP_RULES: readonly ResourceKind[] = [
  "ec2:security-group",
  "ec2:security-group-rule",
];

/** The grants for the network resource types. */
export const NETWORK_GRANTS: Readonly<Record<string, readonly Grant[]>> = {
  "AWS::EC2::VPC": [
    on(
      "Vpcs",
      ["ec2:vpc"],
      "ec2:CreateTags",
      "ec2:CreateVpc",
      "ec2:DeleteVpc",
      "ec2:DescribeVpcAttribute",
      "ec2:ModifyVpcAttribute",
    ),
    // CloudFormation reads the VPC's default security group and ACL as attributes.
    describe("ec2:DescribeNetworkAcls", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"),
  ],
  "AWS::EC2::Subnet": [
    on("SubnetsInVpcs", ["ec2:subnet", "ec2:vpc"], "ec2:CreateSubnet"),
    on(
      "Subnets",
      ["ec2:subnet"],
      "ec2:CreateTags",
      "ec2:DeleteSubnet",
      "ec2:ModifySubnetAttribute",
    ),
    describe("ec2:DescribeAvailabilityZones", "ec2:DescribeNetworkAcls", "ec2:DescribeSubnets"),
  ],
  "AWS::EC2::InternetGateway": [
    on(
      "InternetGateways",
      ["ec2:internet-gateway"],
      "ec2:CreateInternetGateway",
      "ec2:CreateTags",
      "ec2:DeleteInternetGateway",
    ),
    describe("ec2:DescribeInternetGateways"),
  ],
  "AWS::EC2::VPCGatewayAttachment": [
    on(
      "GatewayAttachments",
      ["ec2:internet-gateway", "ec2:vpc"],
      "ec2:AttachInternetGateway",
      "ec2:DetachInternetGateway",
    ),
    describe("ec2:DescribeInternetGateways"),
  ],
  "AWS::EC2::RouteTable": [
    on("RouteTablesInVpcs", ["ec2:route-table", "ec2:vpc"], "ec2:CreateRouteTable"),
    on("RouteTables", ["ec2:route-table"], "ec2:CreateTags", "ec2:DeleteRouteTable"),
    ROUTE_TABLE_READ,
  ],
  "AWS::EC2::Route": [
    on("Routes", ["ec2:route-table"], "ec2:CreateRoute", "ec2:DeleteRoute"),
    ROUTE_TABLE_READ,
  ],
  "AWS::EC2::SubnetRouteTableAssociation": [
    on(
      "RouteTableAssociations",
      ["ec2:route-table", "ec2:subnet"],
      "ec2:AssociateRouteTable",
      "ec2:DisassociateRouteTable",
    ),
    ROUTE_TABLE_READ,
  ],
  "AWS::EC2::SecurityGroup": [
    on("SecurityGroupsInVpcs", ["ec2:security-group", "ec2:vpc"], "ec2:CreateSecurityGroup"),
    on("SecurityGroups", ["ec2:security-group"], "ec2:CreateTags", "ec2:DeleteSecurityGroup"),
    // CloudFormation replaces the default allow-all egress rule with the template's.
    on(
      "AuthorizeSecurityGroupRules",
      SECURITY_GROUP_RULES,
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:AuthorizeSecurityGroupIngress",
    ),
    on(
      "RevokeSecurityGroupRules",
      ["ec2:security-group"],
      "ec2:RevokeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
    ),
    SECURITY_GROUP_READ,
  ],
  "AWS::EC2::SecurityGroupIngress": [
    on("AuthorizeSecurityGroupRules", SECURITY_GROUP_RULES, "ec2:AuthorizeSecurityGroupIngress"),
    on("RevokeSecurityGroupRules", ["ec2:security-group"], "ec2:RevokeSecurityGroupIngress"),
    SECURITY_GROUP_READ,
  ],
  "AWS::EC2::SecurityGroupEgress": [
    on("AuthorizeSecurityGroupRules", SECURITY_GROUP_RULES, "ec2:AuthorizeSecurityGroupEgress"),
    on("RevokeSecurityGroupRules", ["ec2:security-group"], "ec2:RevokeSecurityGroupEgress"),
    SECURITY_GROUP_READ,
  ],
};
