import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { replayOf, type Replay } from "./dead-letter-message.js";

/** What a redrive did, message by message. */
export interface RedriveReport {
  readonly replayed: Array<{ readonly functionName: string; readonly messageId: string }>;
  readonly left: Array<{ readonly messageId: string; readonly reason: string }>;
}

export interface RedriveOptions {
  readonly queueUrl: string;
  /** FlightDeck's own functions: the only ones a message may be replayed to. */
  readonly functions: readonly string[];
  /** Stop after this many messages. */
  readonly max: number;
  /** Say what would be replayed, invoke nothing, delete nothing. */
  readonly dryRun: boolean;
}

/** Seconds a received message stays hidden: long enough to invoke and delete it. */
const VISIBILITY_SECONDS = 60;

const attributesOf = (message: Message): Record<string, string> =>
  Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).flatMap(([name, value]) =>
      value.StringValue === undefined ? [] : [[name, value.StringValue]],
    ),
  );

/**
 * Replays dead-lettered events: receive from the queue, invoke the original
 * function asynchronously with the original event, and delete the message
 * only once Lambda has accepted the invocation. A message whose invocation
 * is refused, or that names no FlightDeck function, stays in the queue (it
 * reappears after the visibility timeout). Replaying is safe because every
 * handler step is idempotent: a message replayed twice (a crash between
 * invoke and delete) creates nothing twice.
 */
export async function redrive(
  sqs: SQSClient,
  lambda: LambdaClient,
  options: RedriveOptions,
): Promise<RedriveReport> {
  const report: RedriveReport = { replayed: [], left: [] };
  const seen = new Set<string>();
  while (report.replayed.length + report.left.length < options.max) {
    const { Messages: messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(
          10,
          options.max - report.replayed.length - report.left.length,
        ),
        WaitTimeSeconds: 1,
        VisibilityTimeout: options.dryRun ? 1 : VISIBILITY_SECONDS,
        MessageAttributeNames: ["All"],
      }),
    );
    const fresh = messages.filter((m) => m.MessageId !== undefined && !seen.has(m.MessageId));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      seen.add(message.MessageId ?? "");
      await redriveOne(sqs, lambda, options, message, report);
    }
  }
  return report;
}

/** Replays one message (or, in a dry run, says it would) and records it as replayed or left. */
async function redriveOne(
  sqs: SQSClient,
  lambda: LambdaClient,
  options: RedriveOptions,
  message: Message,
  report: RedriveReport,
): Promise<void> {
  const messageId = message.MessageId ?? "";
  const replay: Replay = replayOf(
    { body: message.Body ?? "", attributes: attributesOf(message) },
    options.functions,
  );
  if (replay.kind === "leave") {
    report.left.push({ messageId, reason: replay.reason });
    return;
  }
  if (options.dryRun) {
    report.replayed.push({ functionName: replay.functionName, messageId });
    return;
  }
  const invoked = await lambda.send(
    new InvokeCommand({
      FunctionName: replay.functionName,
      InvocationType: "Event",
      Payload: new TextEncoder().encode(replay.payload),
    }),
  );
  if (invoked.StatusCode !== 202) {
    report.left.push({
      messageId,
      reason: `Lambda answered ${invoked.StatusCode ?? "nothing"}`,
    });
    return;
  }
  await sqs.send(
    new DeleteMessageCommand({
      QueueUrl: options.queueUrl,
      ReceiptHandle: message.ReceiptHandle,
    }),
  );
  report.replayed.push({ functionName: replay.functionName, messageId });
}
