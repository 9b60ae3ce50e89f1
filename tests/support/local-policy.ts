import { USER_BUCKET } from "./local-aws.js";

/*
 * The deployment policy file a LocalAws world serves, as the admin's settings
 * would produce it: the test deployment `fdtest`, its node boundary, and the
 * world's buckets (s3rver's users' bucket and the customizer bucket), with no
 * defaults, limits, users or tags until a test gives them.
 */

/** The policy of a LocalAws world; `overrides` replace whole top-level fields. */
export function localPolicy(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    deployment: "fdtest",
    nodePermissionsBoundary: "arn:aws:iam::111122223333:policy/flightdeck/fdtest-node-boundary",
    userBucket: USER_BUCKET,
    stackPrefix: "fd",
    customizer: { bucket: "fd-customizer", prefix: "customizer" },
    defaults: {},
    limits: {},
    users: {},
    tags: {},
    ...overrides,
  };
}
