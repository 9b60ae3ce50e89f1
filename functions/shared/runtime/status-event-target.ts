import type { Stack } from "@aws-sdk/client-cloudformation";
import type { DeploymentPolicy } from "../deployment-policy.js";
import { foreignStackReason } from "../stack-trust.js";
import { parseStackName, stackNameOfArn } from "../stack-name.js";
import type { StackStatusEvent } from "../stack-status-event.js";
import { withKeys, type DecisionLog } from "./decision-log.js";
import type { Deployment } from "./deployment-source.js";
import type { ClusterRef } from "./outcome-reporter.js";
import type { Stacks } from "./stacks.js";

/** The user's cluster a stack-status event is about, and its stack as it is now. */
export interface StatusEventTarget {
  readonly ref: ClusterRef;
  readonly stack: Stack;
  readonly stackId: string;
  readonly policy: DeploymentPolicy;
  /** A log whose lines carry the user, cluster, stack and event. */
  readonly log: DecisionLog;
}

/**
 * Resolves a stack-status event to a FlightDeck cluster. The event is only a
 * hint: events arrive late or out of order, so the stack is re-read by its
 * unique id (which finds deleted stacks too). Stacks FlightDeck did not name,
 * stacks that are gone, and stacks that are not this deployment's (tags,
 * user and service role; see stack-trust.ts) are logged and left alone.
 */
export async function statusEventTarget(
  deps: {
    readonly env: { readonly FD_SERVICE_ROLE_ARN: string };
    readonly stacks: Stacks;
    readonly deployment: () => Promise<Deployment>;
    readonly log: DecisionLog;
  },
  event: StackStatusEvent,
): Promise<StatusEventTarget | undefined> {
  const stackId = event.detail["stack-id"];
  const log = withKeys(deps.log, { stackId, eventStatus: event.detail["status-details"].status });
  const { policy } = await deps.deployment();
  const name = stackNameOfArn(stackId);
  const parsed = name === undefined ? undefined : parseStackName(policy.stackPrefix, name);
  if (parsed === undefined) {
    log.warn("not a FlightDeck stack; ignored");
    return undefined;
  }
  const ref: ClusterRef = {
    user: parsed.user,
    cluster: parsed.cluster,
    stackName: parsed.stackName,
  };
  const scoped = withKeys(log, ref);
  const stack = await deps.stacks.describe(stackId);
  if (stack === undefined) {
    scoped.warn("stack is unknown to CloudFormation; nothing to do");
    return undefined;
  }
  const foreign = foreignStackReason(stack, {
    user: parsed.user,
    deployment: policy.deployment,
    serviceRoleArn: deps.env.FD_SERVICE_ROLE_ARN,
  });
  if (foreign !== undefined) {
    scoped.warn("stack is not FlightDeck's (of this deployment and user); ignored", {
      why: foreign,
    });
    return undefined;
  }
  return { ref, stack, stackId, policy, log: scoped };
}
