import { nameTag, ref } from "./intrinsics.js";

/*
 * A cluster's security groups, in the deployment's shared network. The VPC,
 * its subnets, routes and internet gateway belong to the deployment (one for
 * all clusters: stacks/network/); a cluster brings only these groups. Users
 * are root on their own nodes, so these groups, not trust, keep clusters
 * apart: a cluster's nodes admit one another and nothing else, and its
 * login node admits SSH from the access network.
 */

/** The cluster's security groups, as template resources. */
export function networkResources(): Record<string, unknown> {
  return {
    ClusterSecurityGroup: {
      Type: "AWS::EC2::SecurityGroup",
      Properties: {
        GroupDescription: "FlightDeck cluster nodes: all traffic between them, and only them",
        VpcId: ref("VpcId"),
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
        Description: "Slurm, SSH and MPI between this cluster's nodes",
      },
    },
    LoginSecurityGroup: {
      Type: "AWS::EC2::SecurityGroup",
      Properties: {
        GroupDescription: "FlightDeck login node: SSH from the access network",
        VpcId: ref("VpcId"),
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
