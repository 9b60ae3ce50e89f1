import { Construct } from "constructs";
import type { CfnTemplate } from "../../functions/shared/cfn-template.js";
import {
  CREATE_OUTCOME_STATUSES,
  DELETE_OUTCOME_STATUSES,
} from "../../functions/shared/stack-status-event.js";
import type { ServiceRole } from "../cloudformation/service-role.js";
import type { DeploymentDocuments } from "../deployment/deployment-documents.js";
import { regionalArn, type ArnScope } from "../iam/arns.js";
import type { DeploymentNames } from "../settings/names.js";
import type { NotificationSettings } from "../settings/settings-shape.js";
import type { UserBucket } from "../storage/user-bucket.js";
import { BucketTriggers } from "../triggers/bucket-triggers.js";
import { LifetimeSchedule } from "../triggers/lifetime-schedule.js";
import { StackStatusRule } from "../triggers/stack-status-rule.js";
import { UploadQueue } from "../triggers/upload-queue.js";
import type { ClusterRegistryTable } from "../registry/cluster-registry-table.js";
import type { UsageTable } from "../budgets/usage-table.js";
import type { DeadLetterQueue } from "./dead-letter-queue.js";
import { handlerEnvironments } from "./handler-environments.js";
import { HandlerFunction, logGroupNameFor } from "./handler-function.js";
import {
  createHandlerStatements,
  deleteHandlerStatements,
  needsInstanceLookup,
} from "./handler-permissions.js";

/**
 * Handler sizing. Memory: `npm run bench` measures a cold bundle at about
 * 54 MiB peak RSS, so 256 MB leaves room for responses and the SES chunk, and
 * Lambda's CPU share grows with memory, which shortens cold starts. Timeout:
 * an invocation makes at most about ten AWS calls, each retried by the SDK up
 * to 4 attempts with backoff; a timeout is retried by Lambda like any fault,
 * and every step is idempotent.
 */
const HANDLER_SIZING = { memorySize: 256, timeout: 60 } as const;

/** Properties of {@link Handlers}: what the two functions are wired to. */
export interface HandlersProps {
  /** The deployment's resource names: functions, rules and buckets. */
  readonly names: DeploymentNames;
  readonly scope: ArnScope;
  readonly region: string;
  readonly accountId?: string;
  readonly stackPrefix: string;
  readonly customizerPrefix: string;
  readonly notifications?: NotificationSettings;
  readonly logRetentionDays: number;
  /** Folder holding the built `cf-create/` and `cf-delete/` bundles. */
  readonly bundlesDir: string;
  /** The cluster template, parsed: whether cf-create must look login IPs up itself. */
  readonly template: CfnTemplate;
  /** Parameters the template resolves from SSM, which cf-create may read during CreateStack. */
  readonly ssmParameterArns: readonly string[];
  readonly userBucket: UserBucket;
  readonly documents: DeploymentDocuments;
  readonly serviceRole: ServiceRole;
  readonly deadLetters: DeadLetterQueue;
  readonly registry: ClusterRegistryTable;
  /** The usage ledger, when the deployment keeps usage (money). */
  readonly usage?: UsageTable | undefined;
  /** Reserved concurrency per function; `undefined` for the unreserved pool. */
  readonly concurrency: {
    readonly create?: number | undefined;
    readonly delete?: number | undefined;
  };
}

/**
 * The two handlers and everything that calls them: cf-create and cf-delete
 * with their environments and least-privilege roles, the user bucket's
 * notifications through one upload queue per function, the stack-status
 * rules, the lifetime sweep's schedule, and the dead-letter queue's
 * acceptance of events the rules could not deliver.
 */
export class Handlers extends Construct {
  readonly createHandler: HandlerFunction;
  readonly deleteHandler: HandlerFunction;

  constructor(scope: Construct, id: string, props: HandlersProps) {
    super(scope, id);
    const functions = handlerFunctions(this, props);
    this.createHandler = functions.create;
    this.deleteHandler = functions.delete;
    handlerTriggers(this, props, functions);
  }
}

/** The two functions, cf-create and cf-delete, with their environments and roles. */
function handlerFunctions(
  scope: Construct,
  props: HandlersProps,
): { readonly create: HandlerFunction; readonly delete: HandlerFunction } {
  const { names, documents, deadLetters, notifications } = props;
  const environments = handlerEnvironments({
    region: props.region,
    userBucket: names.userBucket,
    customizerBucket: names.customizerBucket,
    policyKey: documents.policyObject.key,
    templateKey: documents.templateObject.key,
    serviceRoleArn: props.serviceRole.role.arn,
    registryTable: props.registry.table.name,
    usageTable: props.usage?.table.name,
    accountId: props.accountId,
    notifications,
  });
  // Built from the names: each role must name its queue, and each queue's mapping its function.
  const uploadQueueArn = {
    create: regionalArn(props.scope, "sqs", names.createUploads),
    delete: regionalArn(props.scope, "sqs", names.deleteUploads),
  };
  const permissionContext = permissionContextOf(props);
  const handlerBase = {
    deadLetterQueueArn: deadLetters.queue.arn,
    logRetentionDays: props.logRetentionDays,
    ...HANDLER_SIZING,
  };
  const create = new HandlerFunction(scope, "cf-create", {
    ...handlerBase,
    functionName: names.createFunction,
    reservedConcurrency: props.concurrency.create,
    bundleDir: `${props.bundlesDir}/cf-create`,
    environment: environments.create,
    statements: createHandlerStatements({
      ...permissionContext(names.createFunction, uploadQueueArn.create),
      customizerPrefix: props.customizerPrefix,
      templateKey: documents.templateKey,
      templateUrl: documents.templateUrl,
      serviceRoleArn: props.serviceRole.roleArn,
      ssmParameterArns: props.ssmParameterArns,
      needsInstanceLookup: needsInstanceLookup(props.template),
    }),
  });
  const remove = new HandlerFunction(scope, "cf-delete", {
    ...handlerBase,
    functionName: names.deleteFunction,
    reservedConcurrency: props.concurrency.delete,
    bundleDir: `${props.bundlesDir}/cf-delete`,
    environment: environments.delete,
    statements: deleteHandlerStatements(
      permissionContext(names.deleteFunction, uploadQueueArn.delete),
    ),
  });
  return { create, delete: remove };
}

/** What both roles' statements start from, for a function and the upload queue it reads. */
function permissionContextOf(props: HandlersProps) {
  const { names, documents, deadLetters, notifications } = props;
  return (functionName: string, queueArn: string) => ({
    scope: props.scope,
    stackPrefix: props.stackPrefix,
    userBucket: names.userBucket,
    customizerBucket: names.customizerBucket,
    policyKey: documents.policyKey,
    logGroupName: logGroupNameFor(functionName),
    deadLetterQueueArn: deadLetters.queueArn,
    uploadQueueArn: queueArn,
    registryTableArn: props.registry.tableArn,
    usageTableArn: props.usage?.tableArn,
    notifications,
  });
}

/**
 * Everything that calls the functions: the user bucket's notifications
 * through one upload queue per function, the stack-status rules, the
 * lifetime sweep's schedule, and the dead-letter queue's acceptance of the
 * events those rules could not deliver.
 */
function handlerTriggers(
  scope: Construct,
  props: HandlersProps,
  functions: { readonly create: HandlerFunction; readonly delete: HandlerFunction },
): void {
  const { names, deadLetters, stackPrefix } = props;
  const uploadQueue = (handler: "create" | "delete") =>
    new UploadQueue(scope, `${handler}-uploads`, {
      queueName: handler === "create" ? names.createUploads : names.deleteUploads,
      scope: props.scope,
      bucketArn: props.userBucket.bucketArn,
      accountId: props.accountId,
      deadLetterQueueArn: deadLetters.queue.arn,
      target: functions[handler].function,
      targetPermissions: functions[handler].permissions,
      functionTimeout: HANDLER_SIZING.timeout,
      reservedConcurrency: props.concurrency[handler],
    });
  new BucketTriggers(scope, "bucket-triggers", {
    bucketId: props.userBucket.bucketId,
    queues: { create: uploadQueue("create"), delete: uploadQueue("delete") },
  });
  const ruleBase = { scope: props.scope, stackPrefix, deadLetterQueueArn: deadLetters.queue.arn };
  const createdRule = new StackStatusRule(scope, "create-outcomes", {
    ...ruleBase,
    ruleName: names.createdRule,
    description: "FlightDeck: a cluster stack finished creating (or failed to).",
    statuses: CREATE_OUTCOME_STATUSES,
    target: functions.create.function,
  });
  const deletedRule = new StackStatusRule(scope, "delete-outcomes", {
    ...ruleBase,
    ruleName: names.deletedRule,
    description: "FlightDeck: a cluster stack finished deleting (or failed to).",
    statuses: DELETE_OUTCOME_STATUSES,
    target: functions.delete.function,
  });
  const sweep = new LifetimeSchedule(scope, "lifetime-sweep", {
    ruleName: names.sweepSchedule,
    target: functions.delete.function,
    deadLetterQueueArn: deadLetters.queue.arn,
  });
  deadLetters.acceptUndeliveredEventsFrom([
    createdRule.rule.arn,
    deletedRule.rule.arn,
    sweep.rule.arn,
  ]);
}
