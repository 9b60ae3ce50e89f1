import type { StackStatusEvent } from "../shared/stack-status-event.js";
import { statusEventTarget } from "../shared/runtime/status-event-target.js";
import type { CreateDeps } from "./create-deps.js";
import { settleCreate } from "./settle-create.js";

/**
 * Finishes a create when CloudFormation reports a final status, settling the
 * user's files on what the stack is now (re-read, since events may be late).
 */
export async function handleCreateOutcome(
  deps: CreateDeps,
  event: StackStatusEvent,
): Promise<void> {
  const target = await statusEventTarget(deps, event);
  if (target === undefined) return;
  await settleCreate(deps, target.ref, target.stack, { notify: true }, target.log);
}
