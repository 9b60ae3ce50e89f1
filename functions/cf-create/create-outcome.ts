import { parseStackName, stackNameOfArn } from "../shared/stack-name.js";
import type { StackStatusEvent } from "../shared/stack-status-event.js";
import { ownerOf } from "../shared/stack-facts.js";
import { withKeys } from "../shared/runtime/decision-log.js";
import type { CreateDeps } from "./create-deps.js";
import { settleCreate } from "./settle-create.js";

/**
 * Finishes a create when CloudFormation reports a final status. The event is
 * only a hint: events arrive late or out of order, so the stack is re-read by
 * its unique id and settled on what it is now.
 */
export async function handleCreateOutcome(
  deps: CreateDeps,
  event: StackStatusEvent,
): Promise<void> {
  const stackId = event.detail["stack-id"];
  const log = withKeys(deps.log, { stackId, eventStatus: event.detail["status-details"].status });
  const { policy } = await deps.deployment();
  const name = stackNameOfArn(stackId);
  const target = name === undefined ? undefined : parseStackName(policy.stackPrefix, name);
  if (target === undefined) {
    log.warn("not a FlightDeck stack; ignored");
    return;
  }
  const ref = { user: target.user, cluster: target.cluster, stackName: target.stackName };
  const scoped = withKeys(log, ref);
  const stack = await deps.stacks.describe(stackId);
  if (stack === undefined) {
    scoped.warn("stack no longer exists; nothing to do");
    return;
  }
  if (ownerOf(stack) !== target.user) {
    scoped.error("stack's USER tag does not match its name; left alone", { tag: ownerOf(stack) });
    return;
  }
  await settleCreate(deps, ref, stack, { notify: true }, scoped);
}
