import {
  FILE_SUFFIXES,
  HOME_PREFIX,
  LIFETIME_FILE_KINDS,
} from "../../functions/shared/result-files.js";
import { logStreamsArn, regionalArn, s3Arn, stackArnPattern, type ArnScope } from "../iam/arns.js";
import type { PolicyStatement } from "../iam/policy-document.js";
import type { MoneyPermissionContext } from "./money-permissions.js";

/*
 * What both handlers may do (read the policy, watch and delete FlightDeck
 * stacks, write their own logs, use the registry, receive their uploads,
 * report failures, send notifications), and the names their permissions
 * are built from. handler-permissions.ts adds what each does alone.
 */

/** Everything both handlers' permissions depend on. */
export interface HandlerPermissionContext {
  readonly scope: ArnScope;
  readonly stackPrefix: string;
  readonly userBucket: string;
  readonly customizerBucket: string;
  readonly policyKey: string;
  readonly logGroupName: string;
  readonly deadLetterQueueArn: string;
  /** The queue S3 puts this function's uploads in, which its event source mapping reads. */
  readonly uploadQueueArn: string;
  /** The cluster registry's table. */
  readonly registryTableArn: string;
  /** The usage ledger's table: money's permissions (money-permissions.ts) when set. */
  readonly usageTableArn?: string | undefined;
  /** SES sender and its region; `undefined` when notifications are off. */
  readonly notifications?: { readonly senderEmail: string; readonly sesRegion: string };
}

/** `home/*\/*<suffix>` in the user bucket: one kind of cluster file, in any user's home. */
export function homeFiles(context: HandlerPermissionContext, ...suffixes: string[]): string[] {
  return suffixes.map((suffix) =>
    s3Arn(context.scope, context.userBucket, `${HOME_PREFIX}*/*${suffix}`),
  );
}

/** The suffixes of the files about a running cluster's lifetime, removed once it ends or is re-created. */
export const LIFETIME_SUFFIXES = LIFETIME_FILE_KINDS.map((kind) => FILE_SUFFIXES[kind]);

/** Sending mail from the configured sender only, when notifications are on. */
function notifyStatements(context: HandlerPermissionContext): PolicyStatement[] {
  const { notifications } = context;
  if (notifications === undefined) return [];
  return [
    {
      Sid: "NotifyFromSender",
      Effect: "Allow",
      Action: ["ses:SendEmail"],
      Resource: [
        regionalArn(
          context.scope,
          "ses",
          `identity/${notifications.senderEmail}`,
          notifications.sesRegion,
        ),
      ],
      Condition: { StringEquals: { "ses:FromAddress": notifications.senderEmail } },
    },
  ];
}

/** The statements both handlers' roles hold. */
export function sharedStatements(context: HandlerPermissionContext): PolicyStatement[] {
  return [
    {
      Sid: "ReadDeploymentPolicy",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [s3Arn(context.scope, context.customizerBucket, context.policyKey)],
    },
    {
      // Describe re-reads a stack before acting on an event; DeleteStack
      // needs no role: CloudFormation reuses the one the stack was created with.
      Sid: "ManageFlightDeckStacks",
      Effect: "Allow",
      Action: [
        "cloudformation:DeleteStack",
        "cloudformation:DescribeStackEvents",
        "cloudformation:DescribeStacks",
      ],
      Resource: [stackArnPattern(context.scope, context.stackPrefix)],
    },
    {
      // The log group itself is Terraform's, so the function cannot create groups.
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [logStreamsArn(context.scope, context.logGroupName)],
    },
    {
      // Slots and request counts: conditional single-item writes and reads.
      // No dynamodb:LeadingKeys condition: the function serves every user,
      // and the user comes from the trigger key it has already validated.
      Sid: "UseClusterRegistry",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
      Resource: [context.registryTableArn],
    },
    {
      // What Lambda's event source mapping does with the function's role.
      Sid: "ReceiveOwnUploads",
      Effect: "Allow",
      Action: ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
      Resource: [context.uploadQueueArn],
    },
    {
      Sid: "ReportFailedInvocations",
      Effect: "Allow",
      Action: ["sqs:SendMessage"],
      Resource: [context.deadLetterQueueArn],
    },
    ...notifyStatements(context),
  ];
}

/** Money's statements for a handler, when the deployment keeps usage. */
export function moneyOf(
  context: HandlerPermissionContext,
  statements: (money: MoneyPermissionContext) => PolicyStatement[],
): PolicyStatement[] {
  const { usageTableArn } = context;
  return usageTableArn === undefined
    ? []
    : statements({ scope: context.scope, userBucket: context.userBucket, usageTableArn });
}
