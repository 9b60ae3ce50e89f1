import { rateRefusal } from "../cluster-registry.js";
import {
  DEFAULT_REQUESTS_PER_MINUTE,
  limitsFor,
  type DeploymentPolicy,
} from "../deployment-policy.js";
import type { ClusterRegistry } from "./cluster-registry.js";
import type { DecisionLog } from "./decision-log.js";
import { UserFacingFailure } from "./faults.js";
import type { ClusterTarget } from "./outcome-reporter.js";

/**
 * Counts a user's request (a create or a delete) against their per-minute
 * limit, before any CloudFormation call: a flood of uploads then costs only
 * DynamoDB writes, and never throttles CloudFormation for other users.
 * Over the limit, the user is told in `.cf-failed`.
 */
export async function admitRequest(
  registry: ClusterRegistry,
  policy: DeploymentPolicy,
  target: ClusterTarget,
  log: DecisionLog,
): Promise<void> {
  const limit = Number(
    limitsFor(policy, target.user).maxRequestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE,
  );
  const admission = await registry.admit(target.user, Date.now(), limit);
  if (!admission.admitted) {
    log.warn("request refused: over the user's request rate", { limit });
    throw new UserFacingFailure([rateRefusal(limit)]);
  }
}
