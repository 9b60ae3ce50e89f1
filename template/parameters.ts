import {
  FIELD_RULES,
  INSTANCE_LABEL_PATTERN,
  MIN_SPOT_PRICE,
} from "../functions/shared/config-fields.js";
import { COMPUTE_TYPES_PARAMETER } from "../functions/shared/compute-types.js";
import { MAX_UID, MIN_UID } from "../functions/shared/user-uid.js";
import { CLUSTER_NAME_PATTERN, USER_ID_PATTERN } from "../functions/shared/identifiers.js";
import { LOGIN_PATTERN } from "../functions/shared/login-name.js";
import { HOME_PREFIX } from "../functions/shared/result-files.js";
import { NODE_BOUNDARY_PARAMETER } from "../functions/shared/template-contract.js";
import {
  DEFAULT_INSTANCE_LABEL,
  INSTANCE_LABELS,
  OTHER_CHOICE,
  PRESET_MAPPING,
} from "./instance-types.js";

/*
 * The default template's parameters. Bounds come from the codec's FIELD_RULES
 * wherever CloudFormation can express them, so the two cannot drift; what it
 * cannot express from numbers (the spot price) is a pattern the tests compare
 * with the codec value by value.
 */

/** A regex's source without its `^…$` anchors: CloudFormation anchors `AllowedPattern` itself. */
function unanchored(pattern: RegExp): string {
  return pattern.source.replace(/^\^/, "").replace(/\$$/, "");
}

/**
 * The spot prices the codec accepts: 0 (on-demand, with up to five zero
 * decimals), or above 0.001 and at most 1000 USD/hour, with at most five
 * decimals and no leading zeros.
 */
const SPOT_PRICE_PATTERN = [
  "0(\\.0{1,5})?",
  "0\\.(?:[1-9]\\d{0,4}|0[1-9]\\d{0,3}|00[2-9]\\d{0,2}|001(?:[1-9]\\d?|0[1-9]))",
  "[1-9]\\d{0,2}(\\.\\d{1,5})?",
  "1000(\\.0{1,5})?",
].join("|");

/** Every spelling of zero the pattern accepts: each means on-demand. */
export const ON_DEMAND_PRICES = ["0", "0.0", "0.00", "0.000", "0.0000", "0.00000"];

if (FIELD_RULES.ComputeSpotPrice.max !== 1000 || MIN_SPOT_PRICE !== 0.001) {
  // The pattern spells these two numbers out; regenerate it when they change.
  throw new Error("SPOT_PRICE_PATTERN no longer matches the codec's spot price bounds.");
}

const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";

/** The SSM public parameter naming the current Ubuntu 24.04 amd64 image. */
const UBUNTU_IMAGE_PARAMETER =
  "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id";

function integer(
  field:
    | "ComputeInitialNodes"
    | "ComputeMaxNodes"
    | "MasterSystemVolumeSize"
    | "IdleDeleteMinutes"
    | "SpotFallbackMinutes",
) {
  const { min, max } = FIELD_RULES[field];
  return { Type: "Number", MinValue: min, MaxValue: max };
}

const presetChoices = Object.keys(PRESET_MAPPING);

function instanceChoice(role: string) {
  return {
    Type: "String",
    Default: "small",
    AllowedValues: presetChoices,
    Description: `${role} instance: small (t3.medium), medium (m7i.xlarge), large (c7i.8xlarge), hpc (c5n.18xlarge), or ${OTHER_CHOICE} to use ${role}InstanceTypeOther.`,
    ConstraintDescription: `must be one of ${presetChoices.join(", ")}`,
  };
}

function instanceLabel(role: string) {
  return {
    Type: "String",
    Default: DEFAULT_INSTANCE_LABEL,
    AllowedValues: INSTANCE_LABELS,
    Description: `${role} instance when ${role}InstanceType is ${OTHER_CHOICE}: type, vCPUs and memory, e.g. r4.large-2C-15.25GB.`,
    ConstraintDescription:
      "must be one of the listed instance labels (type-<vCPUs>C-<memory>GB, e.g. c5.large-2C-4GB): x86_64 general purpose, compute, memory and HPC types",
  };
}

/**
 * The compute group's types as the merge sends them: up to the codec's most
 * instance labels, comma-separated, or empty for the type ComputeInstanceType
 * selects alone. Which labels is the merge's check (the template's own table);
 * the form is CloudFormation's.
 */
const COMPUTE_TYPES_PATTERN = (() => {
  const label = unanchored(INSTANCE_LABEL_PATTERN).replace(/\((?!\?)/g, "(?:");
  return `(${label}(,${label}){0,${FIELD_RULES.ComputeInstanceTypes.max - 1}})?`;
})();

/** The `Parameters` section, in the order the console shows them. */
// eslint-disable-next-line max-lines-per-function -- the template's parameter list, kept whole in the order the console shows it
export function clusterParameters(): Record<string, Record<string, unknown>> {
  return {
    ComputeInstanceType: instanceChoice("Compute"),
    ComputeInstanceTypeOther: instanceLabel("Compute"),
    MasterInstanceType: instanceChoice("Master"),
    MasterInstanceTypeOther: instanceLabel("Master"),
    [COMPUTE_TYPES_PARAMETER]: {
      Type: "String",
      Default: "",
      AllowedPattern: COMPUTE_TYPES_PATTERN,
      Description: `Instance labels the compute group may launch, comma-separated (at most ${FIELD_RULES.ComputeInstanceTypes.max}, one shape); set by FlightDeck from your ComputeInstanceTypes, or from ComputeInstanceType and alternatives of its shape. Empty: that type alone.`,
      ConstraintDescription: `must be at most ${FIELD_RULES.ComputeInstanceTypes.max} instance labels separated by commas, such as c7i.large-2C-4GB,c6i.large-2C-4GB`,
    },
    ComputeSpotPrice: {
      Type: "String",
      Default: "0",
      AllowedPattern: SPOT_PRICE_PATTERN,
      Description: "Maximum spot price for compute nodes in USD/hour; 0 means on-demand.",
      ConstraintDescription: `must be 0 (on-demand) or a price in USD/hour above ${MIN_SPOT_PRICE} and at most ${FIELD_RULES.ComputeSpotPrice.max}, with at most 5 decimals, such as 0.03`,
    },
    AutoscalingPolicy: {
      Type: "String",
      Default: "enabled",
      AllowedValues: [...FIELD_RULES.AutoscalingPolicy.values],
      Description:
        "enabled: compute nodes start when jobs need them and stop after 10 idle minutes. disabled: the ComputeInitialNodes nodes run for the cluster's life.",
      ConstraintDescription: `must be ${FIELD_RULES.AutoscalingPolicy.values.join(" or ")}`,
    },
    ComputeInitialNodes: {
      ...integer("ComputeInitialNodes"),
      Default: "0",
      Description:
        "Compute nodes started with the cluster (with AutoscalingPolicy disabled, its only nodes).",
      ConstraintDescription: `must be a whole number from ${FIELD_RULES.ComputeInitialNodes.min} to ${FIELD_RULES.ComputeInitialNodes.max}`,
    },
    ComputeMaxNodes: {
      ...integer("ComputeMaxNodes"),
      Default: "8",
      Description:
        "Most compute nodes the cluster may run at once (the compute Auto Scaling group's MaxSize).",
      ConstraintDescription: `must be a whole number from ${FIELD_RULES.ComputeMaxNodes.min} to ${FIELD_RULES.ComputeMaxNodes.max}`,
    },
    MasterSystemVolumeSize: {
      ...integer("MasterSystemVolumeSize"),
      Default: "30",
      Description:
        "Size in GiB of the master's disk (the system, Slurm's state and job history; /home is the user's own file system).",
      ConstraintDescription: `must be a size in GiB from ${FIELD_RULES.MasterSystemVolumeSize.min} to ${FIELD_RULES.MasterSystemVolumeSize.max}`,
    },
    SpotFallbackMinutes: {
      ...integer("SpotFallbackMinutes"),
      Default: "10",
      Description:
        "Minutes spot must fail before waiting compute nodes launch on-demand, if your administrator allows on-demand; 0 is never (spot only).",
      ConstraintDescription: `must be a whole number of minutes from ${FIELD_RULES.SpotFallbackMinutes.min} to ${FIELD_RULES.SpotFallbackMinutes.max}`,
    },
    ComputeOnDemandAllowed: {
      Type: "String",
      Default: "false",
      AllowedValues: ["true", "false"],
      Description:
        "Whether your limits let compute nodes fall back to on-demand (allowOnDemand); set by FlightDeck.",
      ConstraintDescription: "must be true or false",
    },
    IdleDeleteMinutes: {
      ...integer("IdleDeleteMinutes"),
      Default: "120",
      Description:
        "Minutes with no job pending or running and nobody logged in, after which the master deletes the cluster; 0 is never (if your administrator allows it).",
      ConstraintDescription: `must be a whole number of minutes from ${FIELD_RULES.IdleDeleteMinutes.min} to ${FIELD_RULES.IdleDeleteMinutes.max}`,
    },
    AccessNetwork: {
      Type: "String",
      Default: "0.0.0.0/0",
      AllowedPattern: `(${OCTET}\\.){3}${OCTET}/(3[0-2]|[12]?\\d)`,
      Description:
        "IPv4 range (CIDR) allowed to reach the login node by SSH; set by the deployment.",
      ConstraintDescription: "must be an IPv4 CIDR block such as 203.0.113.0/24",
    },
    AccessUsername: {
      Type: "String",
      AllowedPattern: unanchored(LOGIN_PATTERN),
      Description: "The cluster owner's Linux login; set by FlightDeck.",
      ConstraintDescription:
        "must be a Linux login: a lowercase letter or _, then at most 31 lowercase letters, digits, _ or -",
    },
    AccessUid: {
      Type: "Number",
      MinValue: MIN_UID,
      MaxValue: MAX_UID,
      Description:
        "The owner's UID and GID on every node: it owns every file of their home, on every cluster; set by FlightDeck.",
      ConstraintDescription: `must be a UID from ${MIN_UID} to ${MAX_UID}`,
    },
    FlightProfiles: {
      Type: "String",
      AllowedPattern: "[-A-Za-z0-9+=,.@_ ]{0,256}",
      Description:
        "Customizer profiles (the seed's name); set by FlightDeck to the owner's user id, which names their customizer folder.",
      ConstraintDescription: "must be IAM user names separated by spaces",
    },
    ClusterName: {
      Type: "String",
      AllowedPattern: unanchored(CLUSTER_NAME_PATTERN),
      Description: "The cluster's name; set by FlightDeck.",
      ConstraintDescription:
        "must be a letter or digit, then letters, digits or hyphens, at most 40 characters",
    },
    CustomizerBucket: {
      Type: "String",
      // Loose enough for legacy us-east-1 names (capitals, _), strict enough to quote safely.
      AllowedPattern: "[A-Za-z0-9][A-Za-z0-9._-]{0,254}",
      Description: "S3 bucket holding the customizer scripts; set by FlightDeck.",
      ConstraintDescription: "must be an S3 bucket name",
    },
    CustomizerPrefix: {
      Type: "String",
      Default: "customizer",
      AllowedPattern: "[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*",
      Description: "Key prefix of the customizer scripts, without a trailing /; set by FlightDeck.",
      ConstraintDescription:
        "must be S3 key segments of letters, digits, _ . or - joined by /, with no leading or trailing /",
    },
    FlightDeckBucket: {
      Type: "String",
      AllowedPattern: "[A-Za-z0-9][A-Za-z0-9._-]{0,254}",
      Description:
        "The FlightDeck bucket holding users' home folders (results are copied there); set by FlightDeck.",
      ConstraintDescription: "must be an S3 bucket name",
    },
    UserHomePrefix: {
      Type: "String",
      AllowedPattern: `${HOME_PREFIX}${unanchored(USER_ID_PATTERN)}`,
      Description:
        "The owner's folder in the FlightDeck bucket (home/<user>), without a trailing /; set by FlightDeck.",
      ConstraintDescription: "must be home/ and a user name",
    },
    // No pattern: FlightDeck sets it, and the service role creates no role
    // without exactly this boundary, whatever the value.
    [NODE_BOUNDARY_PARAMETER]: {
      Type: "String",
      Description:
        "The deployment's permissions boundary, which every role of the cluster carries; set by FlightDeck.",
    },
    // The deployment's network and the owner's home: built once by the
    // deployment, named here by SSM parameters that CloudFormation resolves.
    VpcId: {
      Type: "AWS::SSM::Parameter::Value<AWS::EC2::VPC::Id>",
      Description:
        "SSM parameter naming the deployment's VPC, which every cluster shares; set by FlightDeck.",
    },
    SubnetIds: {
      Type: "AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>",
      Description:
        "SSM parameter naming the deployment's subnets, one per Availability Zone (the master runs in the first, compute nodes in all); set by FlightDeck.",
    },
    HomeFileSystem: {
      Type: "AWS::SSM::Parameter::Value<String>",
      Description:
        "SSM parameter naming the owner's home file system (EFS), mounted at /home/<login> on every node; set by FlightDeck.",
    },
    HomeSecurityGroup: {
      Type: "AWS::SSM::Parameter::Value<AWS::EC2::SecurityGroup::Id>",
      Description:
        "SSM parameter naming the security group whose members may reach the owner's home, and nobody else's; set by FlightDeck.",
    },
    ImageId: {
      Type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
      Default: UBUNTU_IMAGE_PARAMETER,
      Description: "SSM parameter naming the Ubuntu 24.04 amd64 image for every node.",
    },
  };
}
