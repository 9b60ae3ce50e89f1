import { decodePolicy, type DeploymentPolicy } from "../../functions/shared/deployment-policy.js";
import { rightOf } from "./either.js";

/** A deployment policy with no defaults, limits or tags, decoded as the Lambdas would. */
export function basePolicy(overrides: Record<string, unknown> = {}): DeploymentPolicy {
  return rightOf(
    decodePolicy({
      deployment: "fdtest",
      userBucket: "flightdeck-users",
      nodePermissionsBoundary: "arn:aws:iam::111122223333:policy/flightdeck/fdtest-node-boundary",
      stackPrefix: "fd",
      customizer: { bucket: "flightdeck-customizer", prefix: "customizer" },
      defaults: {},
      limits: {},
      users: {},
      tags: {},
      ...overrides,
    }),
  );
}
