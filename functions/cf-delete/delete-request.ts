import { idleDeleteOf, MAX_DELETE_BYTES } from "../shared/idle-delete.js";
import { deletePurposeOf } from "../shared/request-tokens.js";
import { requestIdOf, type S3EventRecord } from "../shared/s3-event.js";
import { latestDeleteToken } from "../shared/stack-facts.js";
import { foreignStackReason } from "../shared/stack-trust.js";
import { stackNameFor } from "../shared/stack-name.js";
import { withKeys, type DecisionLog } from "../shared/runtime/decision-log.js";
import { UserFacingFailure } from "../shared/runtime/faults.js";
import { acceptTrigger, runUserRequest } from "../shared/runtime/trigger-handling.js";
import type { ClusterTarget } from "../shared/runtime/outcome-reporter.js";
import type { DeleteDeps } from "./delete-deps.js";

/**
 * Handles one `.cf-delete` upload: finds the user's stack, checks its `USER`
 * tag and starts `DeleteStack`. `.cf-deleted` is written when CloudFormation
 * reports `DELETE_COMPLETE`, or at once when there is no such cluster. The
 * body is read only to learn whether an idle master sent it (at most
 * {@link MAX_DELETE_BYTES}, untrusted: it changes nothing but the sentence
 * `.cf-deleted` gives as the reason).
 */
export async function handleDeleteRequest(deps: DeleteDeps, record: S3EventRecord): Promise<void> {
  const trigger = await acceptTrigger(deps, record, "delete", (refused, reasons) =>
    deps.reporter.record(refused, { kind: "failed", action: "delete", reasons }),
  );
  if (trigger === undefined) return;
  const target = { user: trigger.user, cluster: trigger.cluster };
  const outerLog = withKeys(deps.log, target);
  await runUserRequest(deps.reporter, target, "delete", outerLog, async () => {
    const { policy } = await deps.deployment();
    const stackName = stackNameFor(policy.stackPrefix, target.user, target.cluster);
    const log = withKeys(outerLog, { stackName });
    const stack = await deps.stacks.describe(stackName);
    if (stack === undefined) {
      await deps.reporter.record(target, { kind: "deleted" });
      log.info("no such cluster; reported as deleted");
      return;
    }
    // The name already encodes the user, but only tags and role say FlightDeck built it.
    const foreign = foreignStackReason(stack, {
      user: target.user,
      deployment: policy.deployment,
      serviceRoleArn: deps.env.FD_SERVICE_ROLE_ARN,
    });
    if (foreign !== undefined) {
      log.warn("the stack of this name is not FlightDeck's; nothing deleted", { why: foreign });
      throw new UserFacingFailure([
        `The stack named ${stackName} is not one of FlightDeck's clusters for you; nothing was deleted. Ask your administrator.`,
      ]);
    }
    const stackId = stack.StackId ?? stackName;
    if (stack.StackStatus === "DELETE_IN_PROGRESS") {
      await answerDeleteInProgress(deps, target, stackId, log);
      return;
    }
    const read = await deps.home.readTrigger(
      trigger.key,
      record.s3.object.versionId,
      MAX_DELETE_BYTES,
    );
    const idle =
      read.kind === "read" ? idleDeleteOf(new TextDecoder().decode(read.bytes)) : undefined;
    if (idle !== undefined)
      await deps.registry.markEnding(target.user, target.cluster, idle.reason);
    await deps.stacks.delete(stackId, idle === undefined ? "delete" : "idle", requestIdOf(record));
    log.info("stack deletion started", {
      stackId: stack.StackId,
      status: stack.StackStatus,
      ...(idle === undefined ? {} : { idleMinutes: idle.minutes }),
    });
  });
}

/**
 * A delete asked for while the stack is already being deleted. A user's own
 * delete is answered when it completes. The clean-up of a failed create is
 * not (its user already has `.cf-failed`), so a delete asked for meanwhile is
 * answered now: the cluster never came up, and what is left of it is going.
 */
async function answerDeleteInProgress(
  deps: DeleteDeps,
  target: ClusterTarget,
  stackId: string,
  log: DecisionLog,
): Promise<void> {
  const purpose = deletePurposeOf(latestDeleteToken(await deps.stacks.events(stackId)));
  if (purpose === "cleanup") {
    await deps.reporter.record(target, { kind: "deleted" });
    log.info("stack is being cleaned up after a failed create; reported as deleted");
  } else {
    log.info("stack is already being deleted; its outcome will be reported");
  }
}
