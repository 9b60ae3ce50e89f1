import { LambdaClient } from "@aws-sdk/client-lambda";
import { SQSClient } from "@aws-sdk/client-sqs";
import { functionsOfQueue } from "../admin/dead-letter-message.js";
import { redrive } from "../admin/redrive.js";
import type { CliContext } from "../cli-context.js";
import { CliError } from "../cli-error.js";
import { EXIT } from "../output.js";

export interface RedriveCommandOptions {
  readonly queue?: string | undefined;
  readonly max?: string | undefined;
  readonly dryRun?: boolean;
}

/**
 * `flightdeck admin redrive --queue <url>`: replays the events in the
 * deployment's dead-letter queue to the functions that failed them (see
 * admin/redrive.ts), once the cause is fixed. Needs sqs:ReceiveMessage and
 * sqs:DeleteMessage on the queue and lambda:InvokeFunction on the two functions.
 */
export async function redriveCommand(
  ctx: CliContext,
  options: RedriveCommandOptions,
): Promise<number> {
  const queueUrl = options.queue;
  if (queueUrl === undefined || queueUrl === "")
    throw new CliError(
      "Which queue? Pass --queue <url>: terraform output dead_letter_queue_url.",
      EXIT.usage,
    );
  const functions = functionsOfQueue(queueUrl);
  if (functions === undefined)
    throw new CliError(
      `${queueUrl} is not a FlightDeck dead-letter queue (<name>-handler-failures).`,
      EXIT.usage,
    );
  const max = Number(options.max ?? 100);
  if (!Number.isInteger(max) || max < 1)
    throw new CliError(`--max ${options.max}: use a whole number of messages.`, EXIT.usage);
  const { region, profile } = ctx.options;
  const config = {
    ...(region === undefined ? {} : { region }),
    ...(profile === undefined ? {} : { profile }),
  };
  const report = await redrive(new SQSClient(config), new LambdaClient(config), {
    queueUrl,
    functions,
    max,
    dryRun: options.dryRun === true,
  });
  const { out } = ctx;
  if (out.json) {
    out.data(report);
  } else {
    const verb = options.dryRun === true ? "Would replay" : "Replayed";
    out.line(`${verb} ${report.replayed.length} event(s).`);
    for (const { functionName, messageId } of report.replayed)
      out.line(`  ${messageId} → ${functionName}`);
    if (report.left.length > 0) out.line(`Left ${report.left.length} in the queue:`);
    for (const { messageId, reason } of report.left) out.line(`  ${messageId}: ${reason}`);
  }
  return report.left.length === 0 ? EXIT.ok : EXIT.failed;
}
