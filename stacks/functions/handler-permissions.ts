import { FILE_SUFFIXES } from "../../functions/shared/result-files.js";
import { s3Arn, stackArnPattern } from "../iam/arns.js";
import type { CfnTemplate } from "../../functions/shared/cfn-template.js";
import { LOGIN_IP_OUTPUT } from "../../functions/shared/template-contract.js";
import type { PolicyStatement } from "../iam/policy-document.js";
import { resolveParameterStatements } from "../cloudformation/service-role-permissions.js";
import { createMoneyStatements, deleteMoneyStatements } from "./money-permissions.js";
import {
  homeFiles,
  LIFETIME_SUFFIXES,
  moneyOf,
  sharedStatements,
  type HandlerPermissionContext,
} from "./shared-permissions.js";

/*
 * What each handler may do, and nothing more. The statements are plain data
 * built from names known at synth time, so tests can simulate them and the
 * plan shows them in full. What both share is shared-permissions.ts's.
 */

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

/**
 * cf-create's files: read a trigger, write only non-trigger results, remove
 * stale files, check the user is provisioned and read the template.
 */
function createFileStatements(context: CreatePermissionContext): PolicyStatement[] {
  return [
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
  ];
}

/**
 * Creating stacks only through the service role and only from FlightDeck's
 * template, so this role's own permissions never build anything.
 */
function createStackStatements(context: CreatePermissionContext): PolicyStatement[] {
  return [
    {
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
}

/** Finding the master's public IP, for a template with no login-IP output. */
function instanceLookupStatements(context: CreatePermissionContext): PolicyStatement[] {
  if (!context.needsInstanceLookup) return [];
  return [
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
  ];
}

/**
 * cf-create's statements: read a trigger, check the user is provisioned,
 * read the template and policy, create stacks only through the service role
 * and only from FlightDeck's template, and write only non-trigger results.
 */
export function createHandlerStatements(context: CreatePermissionContext): PolicyStatement[] {
  return [
    ...createFileStatements(context),
    ...sharedStatements(context),
    ...createStackStatements(context),
    ...instanceLookupStatements(context),
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
