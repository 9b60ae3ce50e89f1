import {
  grantOn,
  grantOnAnyResource,
  grantTaggedOn,
  type Grant,
  type ResourceKind,
} from "./grant.js";

/*
 * The cluster's network: VPC, subnet, internet gateway, routes and security
 * groups. Each create acts on the new resource and the VPC it goes in.
 */

const ROUTE_TABLE_READ = grantOnAnyResource("ec2:DescribeRouteTables");
const SECURITY_GROUP_READ = grantOnAnyResource(
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
    grantOn(
      "Vpcs",
      ["ec2:vpc"],
      "ec2:CreateTags",
      "ec2:CreateVpc",
      "ec2:DescribeVpcAttribute",
      "ec2:ModifyVpcAttribute",
    ),
    grantTaggedOn("DeleteTaggedVpcs", ["ec2:vpc"], "ec2:DeleteVpc"),
    // CloudFormation reads the VPC's default security group and ACL as attributes.
    grantOnAnyResource("ec2:DescribeNetworkAcls", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"),
  ],
  "AWS::EC2::Subnet": [
    grantOn("SubnetsInVpcs", ["ec2:subnet", "ec2:vpc"], "ec2:CreateSubnet"),
    grantOn("Subnets", ["ec2:subnet"], "ec2:CreateTags", "ec2:ModifySubnetAttribute"),
    grantTaggedOn("DeleteTaggedSubnets", ["ec2:subnet"], "ec2:DeleteSubnet"),
    grantOnAnyResource(
      "ec2:DescribeAvailabilityZones",
      "ec2:DescribeNetworkAcls",
      "ec2:DescribeSubnets",
    ),
  ],
  "AWS::EC2::InternetGateway": [
    grantOn(
      "InternetGateways",
      ["ec2:internet-gateway"],
      "ec2:CreateInternetGateway",
      "ec2:CreateTags",
    ),
    grantTaggedOn(
      "DeleteTaggedInternetGateways",
      ["ec2:internet-gateway"],
      "ec2:DeleteInternetGateway",
    ),
    grantOnAnyResource("ec2:DescribeInternetGateways"),
  ],
  "AWS::EC2::VPCGatewayAttachment": [
    grantOn("GatewayAttachments", ["ec2:internet-gateway", "ec2:vpc"], "ec2:AttachInternetGateway"),
    grantTaggedOn(
      "DetachTaggedGateways",
      ["ec2:internet-gateway", "ec2:vpc"],
      "ec2:DetachInternetGateway",
    ),
    grantOnAnyResource("ec2:DescribeInternetGateways"),
  ],
  "AWS::EC2::RouteTable": [
    grantOn("RouteTablesInVpcs", ["ec2:route-table", "ec2:vpc"], "ec2:CreateRouteTable"),
    grantOn("RouteTables", ["ec2:route-table"], "ec2:CreateTags"),
    grantTaggedOn("DeleteTaggedRouteTables", ["ec2:route-table"], "ec2:DeleteRouteTable"),
    ROUTE_TABLE_READ,
  ],
  "AWS::EC2::Route": [
    grantOn("Routes", ["ec2:route-table"], "ec2:CreateRoute"),
    grantTaggedOn("DeleteTaggedRoutes", ["ec2:route-table"], "ec2:DeleteRoute"),
    ROUTE_TABLE_READ,
  ],
  "AWS::EC2::SubnetRouteTableAssociation": [
    grantOn("RouteTableAssociations", ["ec2:route-table", "ec2:subnet"], "ec2:AssociateRouteTable"),
    grantTaggedOn(
      "DisassociateTaggedRouteTables",
      ["ec2:route-table", "ec2:subnet"],
      "ec2:DisassociateRouteTable",
    ),
    ROUTE_TABLE_READ,
  ],
  "AWS::EC2::SecurityGroup": [
    grantOn("SecurityGroupsInVpcs", ["ec2:security-group", "ec2:vpc"], "ec2:CreateSecurityGroup"),
    grantOn("SecurityGroups", ["ec2:security-group"], "ec2:CreateTags"),
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
