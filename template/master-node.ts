import { getAtt, nameTag, ref } from "./intrinsics.js";
import { masterBoot } from "./node-boot.js";
import {
  CLUSTER_SUBNET,
  instanceType,
  MASTER_RESOURCE,
  metadataOptions,
  rootVolume,
} from "./node-common.js";
import { instanceProfile, masterStatements, nodeRole } from "./node-iam.js";
import { bootMetadataFor, userDataFor } from "./user-data.js";

/*
 * The login/master node: one instance running slurmctld, the compute node
 * manager and the idle watcher, reachable from the access network (the
 * login security group). The stack's creation waits for its boot script's
 * signal.
 */

/** The master's resources: its role and profile, its launch template and the instance. */
export function masterResources() {
  return {
    MasterRole: nodeRole("flightdeck-master", masterStatements()),
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
