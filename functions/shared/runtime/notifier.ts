import type { SendEmailCommand, SESClient } from "@aws-sdk/client-ses";
import type { Notice } from "../notice.js";
import { SDK_CLIENT_DEFAULTS } from "./aws-clients.js";
import type { DecisionLog } from "./decision-log.js";
import { describeError } from "./faults.js";

/** What sending notifications needs from the environment. */
export interface NotifierSettings {
  readonly AWS_REGION: string;
  readonly FD_NOTIFY_FROM?: string | undefined;
  readonly FD_NOTIFY_ADMIN?: string | undefined;
  readonly FD_SES_REGION?: string | undefined;
}

/** Sends a notice; never throws, since a lost email must not fail or block a cluster. */
export type Notify = (notice: Notice, userEmail: string | undefined) => Promise<void>;

/** The SES client for a region (tests pass their own, to mock that one instance). */
export type SesClientFor = (region: string) => Pick<SESClient, "send">;

/**
 * The SES notifier. Off when no sender is configured. The SES client is
 * loaded on the first notice only, so events that send no email (most of
 * them) do not pay for loading it; it uses its own region, since SES is not
 * in every region.
 */
export function createNotifier(
  settings: NotifierSettings,
  log: DecisionLog,
  clientFor?: SesClientFor,
): Notify {
  const from = settings.FD_NOTIFY_FROM;
  if (from === undefined) return async () => undefined;
  const region = settings.FD_SES_REGION ?? settings.AWS_REGION;
  let client:
    | Promise<{ ses: Pick<SESClient, "send">; SendEmailCommand: typeof SendEmailCommand }>
    | undefined;
  const sesClient = () =>
    (client ??= import("./ses-client.js").then(({ SESClient, SendEmailCommand }) => ({
      ses: clientFor?.(region) ?? new SESClient({ region, ...SDK_CLIENT_DEFAULTS, maxAttempts: 2 }),
      SendEmailCommand,
    })));
  return async (notice, userEmail) => {
    const to = [
      ...new Set([settings.FD_NOTIFY_ADMIN, userEmail].filter((a): a is string => a !== undefined)),
    ];
    if (to.length === 0) return;
    try {
      const { ses, SendEmailCommand } = await sesClient();
      await ses.send(
        new SendEmailCommand({
          Source: from,
          Destination: { ToAddresses: to },
          Message: {
            Subject: { Data: notice.subject, Charset: "UTF-8" },
            Body: { Text: { Data: notice.text, Charset: "UTF-8" } },
          },
        }),
      );
      log.info("notification sent", { recipients: to.length, subject: notice.subject });
    } catch (error) {
      log.warn("notification failed; the cluster flow goes on", describeError(error));
    }
  };
}
