/*
 * The fields of a cluster config and the template parameters around them:
 * what a user may set and within which bounds, what FlightDeck and the
 * deployment set instead, and the value formats the codec and the template share.
 */

/**
 * What each user-settable field accepts. The template tests compare these
 * bounds with the default template's own parameter constraints, so the codec
 * and the template cannot drift apart.
 */
export const FIELD_RULES = {
  ComputeInstanceType: { kind: "choice" },
  ComputeInstanceTypeOther: { kind: "instance-label" },
  /** Types the compute group may launch, of one shape; empty for the template's own choice. */
  ComputeInstanceTypes: { kind: "instance-types", max: 4 },
  MasterInstanceType: { kind: "choice" },
  MasterInstanceTypeOther: { kind: "instance-label" },
  ComputeSpotPrice: { kind: "price", max: 1000 },
  AutoscalingPolicy: { kind: "switch", values: ["enabled", "disabled"] },
  ComputeInitialNodes: { kind: "integer", min: 0, max: 1000 },
  ComputeMaxNodes: { kind: "integer", min: 1, max: 1000 },
  MasterSystemVolumeSize: { kind: "integer", min: 8, max: 16384 },
  /** Minutes without jobs or logins before the master deletes its cluster; 0 is never. */
  IdleDeleteMinutes: { kind: "integer", min: 0, max: 10080 },
  /** Minutes spot must fail before waiting nodes launch on-demand (when allowed); 0 is never. */
  SpotFallbackMinutes: { kind: "integer", min: 0, max: 1440 },
} as const;

export type ClusterConfigField = keyof typeof FIELD_RULES;
export const CLUSTER_CONFIG_FIELDS = Object.keys(FIELD_RULES) as ClusterConfigField[];

/** Parameters FlightDeck sets for every stack, from the user, cluster and deployment. */
export const SYSTEM_PARAMETERS = [
  "AccessUsername",
  "FlightProfiles",
  "ClusterName",
  "CustomizerBucket",
  "CustomizerPrefix",
  "NodePermissionsBoundary",
  /** The users' bucket and the owner's home in it (`home/<user id>`): results and the idle `.cf-delete`. */
  "FlightDeckBucket",
  "UserHomePrefix",
  /** The owner's UID: it owns every file of their home, on every cluster. */
  "AccessUid",
  /** The deployment's shared network (names of SSM parameters CloudFormation resolves). */
  "VpcId",
  "SubnetIds",
  /** The owner's home: its file system, and the security group that may reach it. */
  "HomeFileSystem",
  "HomeSecurityGroup",
  /** Whether the admin's limits let compute nodes fall back to on-demand: "true" or "false". */
  "ComputeOnDemandAllowed",
] as const;
export type SystemParameter = (typeof SYSTEM_PARAMETERS)[number];

/** Parameters only the deployment's settings may set (who may reach the cluster by SSH). */
export const ADMIN_PARAMETERS = ["AccessNetwork"] as const;

/**
 * Parameters a cluster config may not name: FlightDeck's own (a config that
 * set `AccessUsername` could run another user's customizer) and the
 * deployment's.
 */
export const RESERVED_PARAMETERS: readonly string[] = [...SYSTEM_PARAMETERS, ...ADMIN_PARAMETERS];

/**
 * An instance label: the EC2 instance type, then the vCPU count and memory,
 * e.g. `r4.large-2C-15.25GB`.
 */
export const INSTANCE_LABEL_PATTERN =
  /^([a-z][a-z0-9-]*\.[a-z0-9-]+?)-([1-9]\d*)C-(\d+(?:\.\d+)?)GB$/;
/** A preset name or `other`, as `*InstanceType` takes it. */
export const INSTANCE_CHOICE_PATTERN = /^[A-Za-z0-9][-A-Za-z0-9.]{0,63}$/;
/** One item of `ComputeInstanceTypes` that is not an instance label: a bare EC2 instance type. */
export const INSTANCE_TYPE_ITEM = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
/** A price in USD: whole dollars, then up to five decimals. */
export const PRICE_PATTERN = /^(0|[1-9]\d*)(\.\d{1,5})?$/;
/** EC2 refuses a set spot `MaxPrice` at or below this; 0 means on-demand instead. */
export const MIN_SPOT_PRICE = 0.001;

/** The EC2 instance type inside an instance label, or `undefined` if it is not a label. */
export function instanceTypeOfLabel(label: string): string | undefined {
  return INSTANCE_LABEL_PATTERN.exec(label)?.[1];
}
