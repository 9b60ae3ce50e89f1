import { DEPLOYMENT_TAG, MANAGED_BY } from "./deployment-policy.js";
import { ownerOf, tagValue, type StackLike } from "./stack-facts.js";

/*
 * Which stacks are FlightDeck's own. A name under the stack prefix is not
 * enough: another tool, or a second deployment with the same prefix, can
 * make one. A stack is this deployment's when it carries FlightDeck's tags
 * with this deployment's name and the user's, and CloudFormation built it
 * with this deployment's service role (every stack FlightDeck creates has
 * one; DescribeStacks says which).
 */

/** What a stack of this deployment, for one user, must show. */
export interface StackOwnership {
  readonly user: string;
  readonly deployment: string;
  readonly serviceRoleArn: string;
}

/** A described stack: its role too. */
export interface DescribedStack extends StackLike {
  readonly RoleARN?: string | undefined;
}

/**
 * Why a stack is not this deployment's stack for this user, or `undefined`
 * when it is.
 *
 * @example
 * foreignStackReason({ Tags: [{ Key: "USER", Value: "alice" }] }, ownership)
 * // => "its ManagedBy tag is missing, not \"flightdeck\""
 */
export function foreignStackReason(
  stack: DescribedStack,
  expected: StackOwnership,
): string | undefined {
  const shown = (value: string | undefined) =>
    value === undefined ? "missing" : JSON.stringify(value);
  if (tagValue(stack, "ManagedBy") !== MANAGED_BY)
    return `its ManagedBy tag is ${shown(tagValue(stack, "ManagedBy"))}, not "${MANAGED_BY}"`;
  if (tagValue(stack, DEPLOYMENT_TAG) !== expected.deployment)
    return `its ${DEPLOYMENT_TAG} tag is ${shown(tagValue(stack, DEPLOYMENT_TAG))}, not "${expected.deployment}"`;
  if (ownerOf(stack) !== expected.user)
    return `its USER tag is ${shown(ownerOf(stack))}, not "${expected.user}"`;
  if (stack.RoleARN !== expected.serviceRoleArn)
    return `it was built with role ${shown(stack.RoleARN)}, not this deployment's service role`;
  return undefined;
}
