import { quotedUserText } from "./user-text.js";

/*
 * Facts read off CloudFormation's answers. The shapes are structural, so the
 * SDK's `Stack` and `StackEvent` fit them without the core importing the SDK.
 */

/** The parts of a described stack FlightDeck reads. */
export interface StackLike {
  readonly StackId?: string | undefined;
  readonly StackName?: string | undefined;
  readonly StackStatus?: string | undefined;
  readonly StackStatusReason?: string | undefined;
  readonly Tags?:
    | ReadonlyArray<{ readonly Key?: string | undefined; readonly Value?: string | undefined }>
    | undefined;
  readonly Outputs?:
    | ReadonlyArray<{
        readonly OutputKey?: string | undefined;
        readonly OutputValue?: string | undefined;
      }>
    | undefined;
}

/** The parts of a stack event FlightDeck reads. */
export interface StackEventLike {
  readonly LogicalResourceId?: string | undefined;
  readonly ResourceType?: string | undefined;
  readonly ResourceStatus?: string | undefined;
  readonly ResourceStatusReason?: string | undefined;
  readonly Timestamp?: Date | undefined;
  readonly ClientRequestToken?: string | undefined;
}

/** The value of a stack tag, or `undefined`. */
export function tagValue(stack: StackLike, key: string): string | undefined {
  return stack.Tags?.find((tag) => tag.Key === key)?.Value;
}

/** The user a stack was created for: its `USER` tag. */
export function ownerOf(stack: StackLike): string | undefined {
  return tagValue(stack, "USER");
}

/** The value of a stack output, or `undefined`. */
export function outputValue(stack: StackLike, key: string): string | undefined {
  const value = stack.Outputs?.find((output) => output.OutputKey === key)?.OutputValue;
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

const STACK_TYPE = "AWS::CloudFormation::Stack";
/** CloudFormation's reason for a resource whose CreationPolicy got a FAILURE signal. */
const FAILURE_SIGNAL = /^Received FAILURE signal with UniqueId ([\s\S]*)$/;
/** Reasons CloudFormation gives to resources it stopped because another failed: never the cause. */
const KNOCK_ON = /Resource creation cancelled|Resource update cancelled|cancelled/i;

/**
 * DescribeStackEvents lists events newest first. That order is kept rather
 * than re-sorting by timestamp, which ties within a millisecond.
 */
const chronological = (eventsNewestFirst: readonly StackEventLike[]) =>
  [...eventsNewestFirst].reverse();

/** Events of the most recent `operation` (CREATE or DELETE), oldest first. */
function latestOperation(
  events: readonly StackEventLike[],
  operation: "CREATE" | "DELETE",
): StackEventLike[] {
  const ordered = chronological(events);
  const start = ordered.findLastIndex(
    (e) => e.ResourceType === STACK_TYPE && e.ResourceStatus === `${operation}_IN_PROGRESS`,
  );
  return start < 0 ? ordered : ordered.slice(start);
}

/**
 * Why the latest create or delete failed, in one sentence a user can act on:
 * the first resource that failed and CloudFormation's reason, skipping the
 * resources that were only cancelled because of it.
 *
 * @example
 * firstFailureReason(events, "CREATE")
 * // => "ComputeGroup (AWS::AutoScaling::AutoScalingGroup) failed: You have requested more vCPU capacity than your current vCPU limit"
 */
export function firstFailureReason(
  /** As DescribeStackEvents returns them: newest first. */
  events: readonly StackEventLike[],
  operation: "CREATE" | "DELETE",
  fallback: string | undefined,
): string {
  const operationEvents = latestOperation(events, operation);
  const failed = operationEvents.filter((e) => e.ResourceStatus?.endsWith("_FAILED"));
  const cause =
    failed.find(
      (e) => e.ResourceType !== STACK_TYPE && !KNOCK_ON.test(e.ResourceStatusReason ?? ""),
    ) ??
    failed.find((e) => e.ResourceType !== STACK_TYPE) ??
    failed[0];
  if (cause?.ResourceStatusReason) {
    const where =
      cause.ResourceType === STACK_TYPE
        ? "The stack"
        : `${cause.LogicalResourceId} (${cause.ResourceType})`;
    const signal = FAILURE_SIGNAL.exec(cause.ResourceStatusReason);
    if (signal !== null) {
      // The words are the node's: root there chooses them. FlightDeck says its own.
      return `${where} failed: the cluster's node reported that its boot failed, in its own words ${quotedUserText(signal[1] ?? "")}; see /var/log/cloud-init-output.log on it.`;
    }
    return `${where} failed: ${cause.ResourceStatusReason}`;
  }
  return fallback !== undefined && fallback !== ""
    ? `The stack failed: ${fallback}`
    : "CloudFormation did not say why; ask your administrator to look at the stack's events.";
}

/** The client request token of the stack's latest delete, read from its events. */
export function latestDeleteToken(events: readonly StackEventLike[]): string | undefined {
  return chronological(events)
    .filter((e) => e.ResourceType === STACK_TYPE && e.ResourceStatus?.startsWith("DELETE_"))
    .pop()?.ClientRequestToken;
}

/**
 * The client request token of the create that made the stack: its first
 * `CREATE_IN_PROGRESS` stack event carries it. The registry's slot for the
 * cluster was taken with the same token.
 */
export function createTokenOf(events: readonly StackEventLike[]): string | undefined {
  return chronological(events).find(
    (e) => e.ResourceType === STACK_TYPE && e.ResourceStatus === "CREATE_IN_PROGRESS",
  )?.ClientRequestToken;
}
