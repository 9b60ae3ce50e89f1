import { COMPUTE_TYPES_PARAMETER, MAX_COMPUTE_TYPES } from "../functions/shared/compute-types.js";
import { getAtt, ifCondition, noValue, ref, sub } from "./intrinsics.js";
import { computeBoot } from "./node-boot.js";
import {
  CLUSTER_SUBNET,
  COMPUTE_GROUP_NAME,
  FALLBACK_GROUP_NAME,
  instanceType,
  metadataOptions,
  rootVolume,
} from "./node-common.js";
import { instanceProfile, nodeRole, nodeStatements } from "./node-iam.js";
import { bootMetadataFor, userDataFor } from "./user-data.js";

/*
 * The compute nodes: a launch template, and Auto Scaling groups over it that
 * the master's node manager sizes: the main group (spot or on-demand, as
 * the user chose) and, where the limits allow it, an on-demand group that
 * pending nodes fall back to when spot fails.
 */

/**
 * The compute groups' subnets: every zone of the deployment, so that the
 * groups can launch wherever a pool has capacity; the master's alone for a
 * cluster placement group, which lives in one zone.
 */
const COMPUTE_SUBNETS = ifCondition("UsePlacementGroup", [CLUSTER_SUBNET], ref("SubnetIds"));

/**
 * The `index`th label of ComputeInstanceTypes, or "" past its end: the list
 * is padded with empty items so that Fn::Select never runs off it.
 */
export function computeTypeSlot(index: number) {
  const padded = sub(`\${${COMPUTE_TYPES_PARAMETER}}${",".repeat(MAX_COMPUTE_TYPES - 1)}`);
  return { "Fn::Select": [index, { "Fn::Split": [",", padded] }] };
}

/** The EC2 type of a label: `c7i.large-2C-4GB` → `c7i.large`. */
const typeOfLabel = (label: unknown) => ({ "Fn::Select": [0, { "Fn::Split": ["-", label] }] });

/** Compute nodes also read their instance tags from the metadata: their Slurm node name. */
const computeMetadataOptions = { ...metadataOptions, InstanceMetadataTags: "enabled" };

/**
 * A compute group over the launch template: every type of ComputeInstanceTypes
 * (or the one ComputeInstanceType selects), in every subnet. Spot goes in the
 * group's instances distribution, not the launch template, which a mixed
 * instances policy refuses when it asks for spot.
 */
function computeGroup(name: string, distribution: Record<string, unknown>, condition?: string) {
  const slots = Array.from({ length: MAX_COMPUTE_TYPES - 1 }, (_, i) =>
    ifCondition(
      `HasComputeType${i + 1}`,
      { InstanceType: typeOfLabel(computeTypeSlot(i + 1)) },
      noValue,
    ),
  );
  return {
    Type: "AWS::AutoScaling::AutoScalingGroup",
    ...(condition === undefined ? {} : { Condition: condition }),
    Properties: {
      AutoScalingGroupName: sub(name),
      MixedInstancesPolicy: {
        InstancesDistribution: distribution,
        LaunchTemplate: {
          LaunchTemplateSpecification: {
            LaunchTemplateId: ref(computeBoot.resource),
            Version: getAtt(computeBoot.resource, "LatestVersionNumber"),
          },
          Overrides: ifCondition(
            "HasComputeTypes",
            [{ InstanceType: typeOfLabel(computeTypeSlot(0)) }, ...slots],
            [{ InstanceType: instanceType("Compute") }],
          ),
        },
      },
      // No replacement launched ahead of a spot interruption: it would
      // terminate the old instance, job and all, once the new one runs. The
      // nodes drain themselves instead (flightdeck-interruptions.py).
      CapacityRebalance: false,
      MinSize: "0",
      MaxSize: ref("ComputeMaxNodes"),
      VPCZoneIdentifier: COMPUTE_SUBNETS,
      PlacementGroup: ifCondition("UsePlacementGroup", ref("ComputePlacementGroup"), noValue),
      Tags: [{ Key: "Name", Value: sub("${ClusterName}-compute"), PropagateAtLaunch: true }],
    },
  };
}

/** The launch template every compute node starts from, whichever group launches it. */
function computeLaunchTemplate() {
  return {
    Type: "AWS::EC2::LaunchTemplate",
    Metadata: bootMetadataFor(computeBoot),
    Properties: {
      LaunchTemplateData: {
        ImageId: ref("ImageId"),
        // The groups' overrides choose the type; this one is the first.
        InstanceType: ifCondition(
          "HasComputeTypes",
          typeOfLabel(computeTypeSlot(0)),
          instanceType("Compute"),
        ),
        IamInstanceProfile: { Arn: getAtt("ComputeInstanceProfile", "Arn") },
        SecurityGroupIds: [ref("ClusterSecurityGroup"), ref("HomeSecurityGroup")],
        MetadataOptions: computeMetadataOptions,
        BlockDeviceMappings: rootVolume(16),
        UserData: userDataFor(computeBoot),
      },
    },
  };
}

/**
 * The compute groups. No DesiredCapacity: the groups start empty (MinSize)
 * and the master's node manager owns their desired capacities; a stack
 * update cannot reset them. Every instance stays in a group, so deleting
 * the stack deletes the groups, and with them every compute instance,
 * before the security groups.
 */
function computeGroups() {
  return {
    // Spot at the user's cap, from the pools with the most capacity at the
    // lowest price; or on-demand, at the lowest price, when the cap is 0.
    // `terminate` is the only interruption behaviour a group's spot has.
    ComputeGroup: computeGroup(COMPUTE_GROUP_NAME, {
      OnDemandAllocationStrategy: "lowest-price",
      OnDemandBaseCapacity: 0,
      OnDemandPercentageAboveBaseCapacity: ifCondition("UseSpot", 0, 100),
      SpotAllocationStrategy: "price-capacity-optimized",
      SpotMaxPrice: ifCondition("UseSpot", ref("ComputeSpotPrice"), noValue),
    }),
    // Where spot has failed for SpotFallbackMinutes and the limits allow
    // on-demand, the node manager launches waiting nodes here instead.
    ComputeOnDemandGroup: computeGroup(
      FALLBACK_GROUP_NAME,
      {
        OnDemandAllocationStrategy: "lowest-price",
        OnDemandBaseCapacity: 0,
        OnDemandPercentageAboveBaseCapacity: 100,
      },
      "UseOnDemandFallback",
    ),
  };
}

/** The compute nodes' resources: role and profile, placement group, launch template, groups. */
export function computeResources() {
  return {
    ComputeRole: nodeRole("flightdeck-compute", nodeStatements()),
    ComputeInstanceProfile: instanceProfile("ComputeRole"),
    ComputePlacementGroup: {
      Type: "AWS::EC2::PlacementGroup",
      Condition: "UsePlacementGroup",
      Properties: { Strategy: "cluster" },
    },
    [computeBoot.resource]: computeLaunchTemplate(),
    ...computeGroups(),
  };
}
