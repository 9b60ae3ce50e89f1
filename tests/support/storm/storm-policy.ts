import { USER_BUCKET } from "../local-aws.js";

/*
 * What a storm's deployment is configured with, and how its events are told
 * apart in the figures.
 */

/** A spot cluster every storm user may have 20 of: 2 + 2 × 2 = 6 vCPUs. */
export const STORM_CLUSTER_CONFIG = '{"ComputeMaxNodes": 2, "ComputeSpotPrice": "0.10"}';

/** A user's id in a storm: student01, student02… */
export const stormUser = (i: number) => `student${String(i + 1).padStart(2, "0")}`;

/** The deployment policy of a storm: limits that let every user have all their clusters. */
export function stormPolicy(
  users: readonly string[],
  clustersPerUser: number,
  limits?: Readonly<Record<string, string>>,
): unknown {
  return {
    stackPrefix: "fd",
    customizer: { bucket: "fd-customizer", prefix: "customizer" },
    defaults: { AccessNetwork: "203.0.113.0/24" },
    limits: limits ?? {
      maxClusters: String(clustersPerUser),
      maxComputeNodes: "32",
      maxSpotPrice: "0.50",
      maxVcpus: String(clustersPerUser * 6),
      // Every create and delete of the storm inside one minute, and room to spare; at least
      // 100, so that a benchmark's run of single lifecycles is never refused as a flood.
      maxRequestsPerMinute: String(Math.max(100, clustersPerUser * 4)),
    },
    users: Object.fromEntries(users.map((user) => [user, { email: `${user}@example.org` }])),
    tags: { Project: "storm" },
    deployment: "fdstorm",
    nodePermissionsBoundary: "arn:aws:iam::111122223333:policy/flightdeck/fdstorm-node-boundary",
    userBucket: USER_BUCKET,
  };
}

/** What an event is, for grouping durations: the S3 trigger's suffix or the stack status. */
export function eventKindOf(event: unknown): string {
  const records = (event as { Records?: Array<{ s3?: { object?: { key?: string } } }> }).Records;
  const key = records?.[0]?.s3?.object?.key;
  if (key !== undefined) {
    if (key.endsWith(".cf-delete")) return "delete request";
    return key.endsWith(".cf-extend") ? "extend request" : "create request";
  }
  if ((event as { "detail-type"?: string })["detail-type"] === "Scheduled Event") return "sweep";
  const status = (event as { detail?: { "status-details"?: { status?: string } } }).detail?.[
    "status-details"
  ]?.status;
  return `${status ?? "unknown"} event`;
}
