import { COMPUTE_TYPES_PARAMETER } from "../functions/shared/compute-types.js";
import { NODE_TAG_KEY } from "../functions/shared/template-contract.js";
import { ifCondition, ref, sub } from "./intrinsics.js";
import { COMPUTE_GROUP_NAME, FALLBACK_GROUP_NAME, MASTER_RESOURCE } from "./node-common.js";
import type { BootSpec } from "./user-data.js";

/*
 * What each kind of node boots with: the values written to its boot.env and
 * the files of template/boot/ its resource carries (user-data.ts).
 */

/** boot.env values both roles share. */
const commonEnv = {
  FD_REGION: "${AWS::Region}",
  FD_STACK: "${AWS::StackName}",
  FD_CLUSTER: "${ClusterName}",
  FD_USER: "${AccessUsername}",
  FD_UID: "${AccessUid}",
  FD_PROFILES: "${FlightProfiles}",
  FD_BUCKET: "${CustomizerBucket}",
  FD_PREFIX: "${CustomizerPrefix}",
  FD_MUNGE_SECRET: "${MungeKeySecret}",
  FD_HOST_KEY_SECRET: "${NodeHostKeySecret}",
  // EFS's name for the file system: it resolves to the mount target in the node's own zone.
  FD_HOME_HOST: "${HomeFileSystem}.efs.${AWS::Region}.${AWS::URLSuffix}",
};

/** The master: slurmctld, the compute node manager, the idle watcher. */
export const masterBoot: BootSpec = {
  role: "master",
  resource: MASTER_RESOURCE,
  env: {
    ...commonEnv,
    FD_MAX_NODES: "${ComputeMaxNodes}",
    FD_INITIAL_NODES: "${ComputeInitialNodes}",
    FD_AUTOSCALING: "${AutoscalingPolicy}",
    FD_COMPUTE_INSTANCES: "${ComputeInstanceLabels}",
    FD_ASG: COMPUTE_GROUP_NAME,
    FD_ASG_FALLBACK: "${FallbackGroupName}",
    FD_COMPUTE_MARKET: "${ComputeMarket}",
    FD_SPOT_FALLBACK_MINUTES: "${SpotFallbackMinutes}",
    FD_ON_DEMAND_ALLOWED: "${ComputeOnDemandAllowed}",
    FD_NODE_TAG: NODE_TAG_KEY,
    FD_SIGNAL_RESOURCE: MASTER_RESOURCE,
    FD_USER_BUCKET: "${FlightDeckBucket}",
    FD_USER_PREFIX: "${UserHomePrefix}",
    FD_IDLE_MINUTES: "${IdleDeleteMinutes}",
  },
  // The compute types' labels (type-<vCPUs>C-<GiB>GB), from which the master
  // sizes its nodes (the smallest of each); the fallback group, if any.
  variables: {
    ComputeInstanceLabels: ifCondition(
      "HasComputeTypes",
      ref(COMPUTE_TYPES_PARAMETER),
      ifCondition("ComputeIsOther", ref("ComputeInstanceTypeOther"), {
        "Fn::FindInMap": ["InstancePresets", ref("ComputeInstanceType"), "Label"],
      }),
    ),
    FallbackGroupName: ifCondition("UseOnDemandFallback", sub(FALLBACK_GROUP_NAME), ""),
    ComputeMarket: ifCondition("UseSpot", "spot", "on-demand"),
  },
  files: [
    "common.sh",
    "day-one.sh",
    "flightdeck-aws.py",
    "flightdeck-nodes.py",
    "flightdeck_nodes_plan.py",
    "flightdeck_nodes_slurm.py",
    "flightdeck-node-connect.py",
    "flightdeck-idle.py",
    "master.sh",
  ],
};

/** A compute node: slurmd, which finds the master by its private address. */
export const computeBoot: BootSpec = {
  role: "slave",
  resource: "ComputeLaunchTemplate",
  env: {
    ...commonEnv,
    FD_MASTER_IP: `\${${MASTER_RESOURCE}.PrivateIp}`,
    FD_MASTER_NAME: `\${${MASTER_RESOURCE}.PrivateDnsName}`,
    FD_NODE_TAG: NODE_TAG_KEY,
  },
  files: [
    "common.sh",
    "day-one.sh",
    "flightdeck-aws.py",
    "flightdeck-node-connect.py",
    "flightdeck-interruptions.py",
    "compute.sh",
  ],
};
