import { randomUUID } from "node:crypto";
import type { FakeStack } from "./fake-stacks.js";

/*
 * The EventBridge events FlightDeck's functions receive, shaped as AWS sends
 * them: CloudFormation's "Stack Status Change" for a stack of the fake, and
 * the scheduled tick of a deployment's lifetime-sweep rule.
 */

/** The fields every EventBridge event carries, for an event from `source` about `resources`. */
const envelope = (source: string, detailType: string, resources: readonly string[]) => ({
  version: "0",
  id: randomUUID(),
  "detail-type": detailType,
  source,
  account: "111122223333",
  time: new Date().toISOString(),
  region: "eu-west-2",
  resources,
});

/**
 * The EventBridge "CloudFormation Stack Status Change" event CloudFormation
 * sends when `stack` reaches `status`, with the token of the request behind it.
 */
export function stackStatusEventOf(stack: FakeStack, status = stack.status): unknown {
  const token = status.startsWith("DELETE") ? stack.deleteToken : stack.createToken;
  return {
    ...envelope("aws.cloudformation", "CloudFormation Stack Status Change", [stack.stackId]),
    detail: {
      "stack-id": stack.stackId,
      "status-details": { status, "status-reason": stack.reason ?? "" },
      "client-request-token": token ?? "",
    },
  };
}

/** The "Scheduled Event" the lifetime-sweep rule of `deployment` sends on each tick of its rate. */
export function sweepTickOf(deployment: string): unknown {
  const rule = `arn:aws:events:eu-west-2:111122223333:rule/${deployment}-lifetime-sweep`;
  return { ...envelope("aws.events", "Scheduled Event", [rule]), detail: {} };
}
