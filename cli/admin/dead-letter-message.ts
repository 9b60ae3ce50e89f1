/*
 * What a message in FlightDeck's dead-letter queue asks to be replayed, and
 * to which function. Three senders park events there:
 *
 * - SQS, after an upload failed its last receive from an upload queue: the
 *   body is S3's notification itself, `{ Records: [{ eventSource: "aws:s3",
 *   s3: { object: { key } } }] }`, and the key's suffix names the function,
 *   as the bucket's notification filters do;
 * - Lambda, after an asynchronous invocation failed its retries: the body is
 *   an invocation record, `{ requestContext: { functionArn, … },
 *   requestPayload: <the event> , … }`;
 * - EventBridge, when it could not deliver a stack-status event to a
 *   function: the body is the event itself, and the `TARGET_ARN` message
 *   attribute names the function.
 *
 * Only FlightDeck's own two functions are ever invoked, so a message that
 * names anything else (or cannot be read) is left in the queue for a person.
 */

import { TRIGGER_FILTERS, type TriggerFilter } from "../../functions/shared/trigger-filters.js";

/** A received message, reduced to what is read here. */
export interface DeadLetter {
  readonly body: string;
  /** String message attributes, by name. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** What to do with one message. */
export type Replay =
  | { readonly kind: "replay"; readonly functionName: string; readonly payload: string }
  | { readonly kind: "leave"; readonly reason: string };

/** The function name in a Lambda ARN, without a version or alias. */
function functionNameOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:([A-Za-z0-9_-]+)(:[^:]+)?$/.exec(arn)?.[1];
}

/**
 * The function an upload queue feeds, for a parked S3 notification: the
 * handler every record's key goes to under the notification filters, or
 * `undefined` when a key matches none or the records disagree. The function
 * is named as the deployment names it (`<name>-cf-create`, `<name>-cf-delete`).
 */
function uploadTarget(body: unknown, functions: readonly string[]): string | undefined {
  const records = (body as { Records?: unknown }).Records;
  if (!Array.isArray(records) || records.length === 0) return undefined;
  const handlers = new Set<TriggerFilter["handler"] | undefined>(
    records.map((record: { eventSource?: unknown; s3?: { object?: { key?: unknown } } }) => {
      const key = record?.eventSource === "aws:s3" ? record.s3?.object?.key : undefined;
      if (typeof key !== "string") return undefined;
      // S3 sends keys URL-encoded, with "+" for a space; suffixes hold neither.
      return TRIGGER_FILTERS.find((f) => key.startsWith(f.prefix) && key.endsWith(f.suffix))
        ?.handler;
    }),
  );
  const [handler] = handlers;
  if (handlers.size !== 1 || handler === undefined) return undefined;
  return functions.find((name) => name.endsWith(`-cf-${handler}`));
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * How to replay a message: invoke `functionName` asynchronously with
 * `payload`, the event exactly as it was first delivered; or leave it, and why.
 *
 * @example
 * replayOf({ body: '{"requestContext":{"functionArn":"arn:aws:lambda:eu-west-2:123456789012:function:fd-cf-create:$LATEST"},"requestPayload":{"Records":[]}}', attributes: {} }, ["fd-cf-create"])
 * // => { kind: "replay", functionName: "fd-cf-create", payload: '{"Records":[]}' }
 */
export function replayOf(message: DeadLetter, functions: readonly string[]): Replay {
  const body = parse(message.body) as
    { requestContext?: { functionArn?: unknown }; requestPayload?: unknown } | undefined;
  let arn: unknown;
  let payload: unknown;
  if (body !== undefined && typeof body === "object" && body !== null && "requestPayload" in body) {
    arn = body.requestContext?.functionArn;
    payload = body.requestPayload;
  } else if (body !== null && typeof body === "object" && "Records" in body) {
    const name = uploadTarget(body, functions);
    if (name === undefined)
      return { kind: "leave", reason: "its uploads are not all for one of the functions" };
    return { kind: "replay", functionName: name, payload: message.body };
  } else if (body !== undefined) {
    arn = message.attributes["TARGET_ARN"];
    payload = body;
  } else {
    return { kind: "leave", reason: "its body is not JSON" };
  }
  const name = typeof arn === "string" ? functionNameOfArn(arn) : undefined;
  if (name === undefined) return { kind: "leave", reason: "it names no Lambda function" };
  if (!functions.includes(name))
    return { kind: "leave", reason: `it is for ${name}, not one of ${functions.join(", ")}` };
  if (payload === undefined || payload === null)
    return { kind: "leave", reason: "it holds no event" };
  return { kind: "replay", functionName: name, payload: JSON.stringify(payload) };
}

/** The deployment's two functions, from its dead-letter queue's name (`<name>-handler-failures`). */
export function functionsOfQueue(queueUrl: string): string[] | undefined {
  const name = /\/([^/]+)-handler-failures$/.exec(queueUrl)?.[1];
  return name === undefined ? undefined : [`${name}-cf-create`, `${name}-cf-delete`];
}
