import { nameTag, ref } from "./intrinsics.js";

/*
 * Each cluster's own network: a VPC with one public subnet and an internet
 * gateway, a security group letting the nodes reach each other, and one
 * letting the access network reach the login node by SSH.
 */

/** The VPC, subnet, routing and security groups, as template resources. */
export function networkResources(): Record<string, unknown> {
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
