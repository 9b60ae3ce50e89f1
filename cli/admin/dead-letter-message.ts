/*
 * What a message in FlightDeck's dead-letter queue asks to be replayed, and
 * to which function. Two senders park events there:
 *
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
export function functionNameOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:([A-Za-z0-9_-]+)(:[^:]+)?$/.exec(arn)?.[1];
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
