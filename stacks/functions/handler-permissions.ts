import {
  FILE_SUFFIXES,
  HOME_PREFIX,
  LIFETIME_FILE_KINDS,
} from "../../functions/shared/result-files.js";
import { logStreamsArn, regionalArn, s3Arn, stackArnPattern, type ArnScope } from "../iam/arns.js";
import type { CfnTemplate } from "../../functions/shared/cfn-template.js";
import { LOGIN_IP_OUTPUT } from "../../functions/shared/template-contract.js";
import type { PolicyStatement } from "../iam/policy-document.js";
import { resolveParameterStatements } from "../cloudformation/service-role-permissions.js";
import {
  createMoneyStatements,
  deleteMoneyStatements,
  type MoneyPermissionContext,
} from "./money-permissions.js";

/*
 * What each handler may do, and nothing more. The statements are plain data
 * built from names known at synth time, so tests can simulate them and the
 * plan shows them in full.
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

/** What only cf-create's permissions depend on. */
export interface CreatePermissionContext extends HandlerPermissionContext {
  readonly customizerPrefix: string;
  readonly templateKey: string;
  /** The exact `TemplateURL` cf-create passes to CreateStack. */
  readonly templateUrl: string;
  readonly serviceRoleArn: string;
  /**
   * SSM parameters the template's parameter types resolve (the AMI id):
   * CloudFormation reads them with the caller's credentials during CreateStack.
   */
  readonly ssmParameterArns: readonly string[];
  /**
   * True when the template has no login-IP output: cf-create then finds the
   * master's public IP from the stack's resources and EC2 instead.
   */
  readonly needsInstanceLookup: boolean;
}

/** Whether cf-create must look the login IP up itself: the template has no such output. */
export function needsInstanceLookup(template: CfnTemplate): boolean {
  return !Object.hasOwn(template.Outputs ?? {}, LOGIN_IP_OUTPUT);
}

/** `home/*\/*<suffix>` in the user bucket: one kind of cluster file, in any user's home. */
function homeFiles(context: HandlerPermissionContext, ...suffixes: string[]): string[] {
  return suffixes.map((suffix) =>
    s3Arn(context.scope, context.userBucket, `${HOME_PREFIX}*/*${suffix}`),
  );
}

/** The suffixes of the files about a running cluster's lifetime, removed once it ends or is re-created. */
const LIFETIME_SUFFIXES = LIFETIME_FILE_KINDS.map((kind) => FILE_SUFFIXES[kind]);

function sharedStatements(context: HandlerPermissionContext): PolicyStatement[] {
  const statements: PolicyStatement[] = [
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
  ];
  const { notifications } = context;
  if (notifications !== undefined) {
    statements.push({
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
    });
  }
  return statements;
}

/**
 * cf-create's statements: read a trigger, check the user is provisioned,
 * read the template and policy, create stacks only through the service role
 * and only from FlightDeck's template, and write only non-trigger results.
 */
export function createHandlerStatements(context: CreatePermissionContext): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    {
      // The event's version id pins the exact upload, which takes GetObjectVersion.
      Sid: "ReadCreateTriggers",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: homeFiles(context, FILE_SUFFIXES.create),
    },
    {
      // Never a trigger suffix: a handler cannot start a handler.
      Sid: "WriteCreateResults",
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: homeFiles(context, FILE_SUFFIXES.created, FILE_SUFFIXES.failed),
    },
    {
      Sid: "RemoveStaleClusterFiles",
      Effect: "Allow",
      Action: ["s3:DeleteObject"],
      Resource: homeFiles(
        context,
        FILE_SUFFIXES.create,
        FILE_SUFFIXES.failed,
        FILE_SUFFIXES.deleted,
        ...LIFETIME_SUFFIXES,
      ),
    },
    {
      // The provisioning gate lists exactly one key; s3:prefix pins the list to it.
      Sid: "CheckUserIsProvisioned",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [s3Arn(context.scope, context.customizerBucket)],
      Condition: {
        StringLike: { "s3:prefix": `${context.customizerPrefix}/*/configure.d/user.sh` },
      },
    },
    {
      // CloudFormation fetches a TemplateURL with the caller's credentials.
      Sid: "ReadClusterTemplate",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [s3Arn(context.scope, context.customizerBucket, context.templateKey)],
    },
    ...sharedStatements(context),
    {
      // Only through the service role and only from FlightDeck's template, so
      // this role's own permissions never build anything.
      Sid: "CreateFlightDeckStacks",
      Effect: "Allow",
      Action: ["cloudformation:CreateStack"],
      Resource: [stackArnPattern(context.scope, context.stackPrefix)],
      Condition: {
        ArnEquals: { "cloudformation:RoleArn": context.serviceRoleArn },
        StringEquals: { "cloudformation:TemplateUrl": context.templateUrl },
      },
    },
    {
      Sid: "PassServiceRoleToCloudFormation",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: [context.serviceRoleArn],
      Condition: { StringEquals: { "iam:PassedToService": "cloudformation.amazonaws.com" } },
    },
  ];
  if (context.needsInstanceLookup) {
    statements.push(
      {
        Sid: "FindMasterInstance",
        Effect: "Allow",
        Action: ["cloudformation:DescribeStackResources"],
        Resource: [stackArnPattern(context.scope, context.stackPrefix)],
      },
      {
        // DescribeInstances has no resource-level permissions.
        Sid: "ReadMasterPublicIp",
        Effect: "Allow",
        Action: ["ec2:DescribeInstances"],
        Resource: "*",
      },
    );
  }
  return [
    ...statements,
    ...resolveParameterStatements(context.ssmParameterArns),
    ...moneyOf(context, createMoneyStatements),
  ];
}

/**
 * cf-delete's statements: delete and watch FlightDeck stacks, read the
 * policy and trigger bodies, sweep the registry, and write only
 * non-trigger results. It passes no role.
 */
export function deleteHandlerStatements(context: HandlerPermissionContext): PolicyStatement[] {
  return [
    {
      // A .cf-extend's body ({"hours": N}), and the first bytes of a
      // .cf-delete's (an idle master says so there).
      Sid: "ReadDeleteAndExtendTriggers",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: homeFiles(context, FILE_SUFFIXES.delete, FILE_SUFFIXES.extend),
    },
    {
      // Never a trigger suffix: a handler cannot start a handler.
      Sid: "WriteDeleteResults",
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: homeFiles(
        context,
        FILE_SUFFIXES.deleted,
        FILE_SUFFIXES.failed,
        FILE_SUFFIXES.extended,
        FILE_SUFFIXES.expiring,
      ),
    },
    {
      Sid: "RemoveStaleClusterFiles",
      Effect: "Allow",
      Action: ["s3:DeleteObject"],
      Resource: homeFiles(
        context,
        FILE_SUFFIXES.delete,
        FILE_SUFFIXES.created,
        FILE_SUFFIXES.failed,
        ...LIFETIME_SUFFIXES,
      ),
    },
    {
      // The lifetime sweep reads the whole registry: one Scan, whatever
      // else the account holds, in place of listing stacks.
      Sid: "SweepClusterRegistry",
      Effect: "Allow",
      Action: ["dynamodb:Scan"],
      Resource: [context.registryTableArn],
    },
    ...sharedStatements(context),
    ...moneyOf(context, deleteMoneyStatements),
  ];
}

/** Money's statements for a handler, when the deployment keeps usage. */
function moneyOf(
  context: HandlerPermissionContext,
  statements: (money: MoneyPermissionContext) => PolicyStatement[],
): PolicyStatement[] {
  const { usageTableArn } = context;
  return usageTableArn === undefined
    ? []
    : statements({ scope: context.scope, userBucket: context.userBucket, usageTableArn });
}
