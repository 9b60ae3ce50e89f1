import { ifCondition, ref } from "./intrinsics.js";

/*
 * What the master and the compute nodes share: the names that tie the
 * template's resources, IAM and boot scripts together, the EC2 type a choice
 * selects, the metadata options and the root volume.
 */

/** Fixed so the master's IAM policy and node manager can name it without a dependency cycle. */
export const COMPUTE_GROUP_NAME = "${AWS::StackName}-compute";

/** The on-demand group pending nodes fall back to when spot fails (where the limits allow it). */
export const FALLBACK_GROUP_NAME = "${AWS::StackName}-compute-on-demand";

/** The master's logical id: its CreationPolicy waits for the boot script's signal. */
export const MASTER_RESOURCE = "MasterInstance";

/** The master's subnet: the first of the deployment's. */
export const CLUSTER_SUBNET = { "Fn::Select": [0, ref("SubnetIds")] };

/** The EC2 type a role's choice selects: the label's type for `other`, else the preset's. */
export function instanceType(role: "Compute" | "Master") {
  return ifCondition(
    `${role}IsOther`,
    { "Fn::Select": [0, { "Fn::Split": ["-", ref(`${role}InstanceTypeOther`)] }] },
    { "Fn::FindInMap": ["InstancePresets", ref(`${role}InstanceType`), "InstanceType"] },
  );
}

/** Instance metadata through IMDSv2 sessions only, within one network hop of the instance. */
export const metadataOptions = {
  HttpTokens: "required",
  HttpEndpoint: "enabled",
  HttpPutResponseHopLimit: 1,
};

/** An encrypted gp3 root volume of `size` GiB, deleted with its instance. */
export function rootVolume(size: unknown) {
  return [
    {
      DeviceName: "/dev/sda1",
      Ebs: { VolumeSize: size, VolumeType: "gp3", Encrypted: true, DeleteOnTermination: true },
    },
  ];
}
