import { rateRefusal } from "../cluster-registry.js";
import { limitsFor, type DeploymentPolicy } from "../deployment-policy.js";
import { DEFAULT_REQUESTS_PER_MINUTE } from "../policy-limits.js";
import type { ClusterRegistry } from "./cluster-registry.js";
import type { DecisionLog } from "./decision-log.js";
import { UserFacingFailure } from "./faults.js";
import type { ClusterTarget } from "./outcome-reporter.js";

/**
 * The field every log line of a refused request carries, so one metric
 * filter counts each user's refusals (the flood alarm, stacks/alarms/).
 */
export const REFUSED = { requestRefused: true } as const;

/**
 * Counts a user's request (any trigger in their home) against their
 * per-minute limit, before anything is read for it and before any
 * CloudFormation call: a flood of uploads then costs only DynamoDB writes,
 * and never throttles CloudFormation for other users. Over the limit it
 * throws a {@link UserFacingFailure} with the refusal. `nowMs` places the
 * request in its minute.
 */
export async function admitRequest(
  registry: ClusterRegistry,
  policy: DeploymentPolicy,
  target: Pick<ClusterTarget, "user">,
  nowMs: number,
  log: DecisionLog,
): Promise<void> {
  const limit = Number(
    limitsFor(policy, target.user).maxRequestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE,
  );
  const admission = await registry.admit(target.user, nowMs, limit);
  if (!admission.admitted) {
    log.warn("request refused: over the user's request rate", {
      user: target.user,
      limit,
      ...REFUSED,
    });
    throw new UserFacingFailure([rateRefusal(limit)]);
  }
}
