import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import {
  CREATE_OUTCOME_STATUSES,
  DELETE_OUTCOME_STATUSES,
} from "../functions/shared/stack-status-event.js";
import { UserAccess } from "./access/user-access.js";
import { ServiceRole } from "./cloudformation/service-role.js";
import {
  serviceRoleStatements,
  ssmParameterArns,
} from "./cloudformation/service-role-permissions.js";
import { CustomizerContent } from "./customizer/customizer-content.js";
import type { ClusterTemplateFile } from "./deployment/cluster-template.js";
import { DeploymentDocuments } from "./deployment/deployment-documents.js";
import { DeadLetterQueue } from "./functions/dead-letter-queue.js";
import { handlerEnvironments } from "./functions/handler-environments.js";
import { HandlerFunction, logGroupNameFor } from "./functions/handler-function.js";
import {
  createHandlerStatements,
  deleteHandlerStatements,
  needsInstanceLookup,
} from "./functions/handler-permissions.js";
import { arnScope } from "./iam/arns.js";
import { SenderIdentity } from "./notifications/sender-identity.js";
import { AwsProviders } from "./provider/aws-providers.js";
import { useStateBackend } from "./provider/state-backend.js";
import { namesFor } from "./settings/names.js";
import { policyFromSettings } from "./settings/policy.js";
import type { Settings } from "./settings/settings-shape.js";
import { PrivateBucket } from "./storage/private-bucket.js";
import { UserBucket } from "./storage/user-bucket.js";
import { BucketTriggers } from "./triggers/bucket-triggers.js";
import { StackStatusRule } from "./triggers/stack-status-rule.js";

/** Properties of the {@link FlightDeckStack}: the settings and the files it deploys. */
export interface FlightDeckStackProps {
  readonly settings: Settings;
  readonly template: ClusterTemplateFile;
  /** Folder of the default customizer scripts. */
  readonly customizerScriptsDir: string;
  /** Folder holding the built `cf-create/` and `cf-delete/` bundles. */
  readonly bundlesDir: string;
}

/**
 * Handler sizing. Memory: `npm run bench` measures a cold bundle at about
 * 54 MiB peak RSS, so 256 MB leaves room for responses and the SES chunk, and
 * Lambda's CPU share grows with memory, which shortens cold starts. Timeout:
 * an invocation makes at most about ten AWS calls, each retried by the SDK up
 * to 4 attempts with backoff; a timeout is retried by Lambda like any fault,
 * and every step is idempotent.
 */
export const HANDLER_SIZING = { memorySize: 256, timeout: 60 } as const;

/** All of FlightDeck: buckets, user access, customizer, service role, handlers, triggers. */
export class FlightDeckStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: FlightDeckStackProps) {
    super(scope, id);
    const { settings, template } = props;
    const names = namesFor(settings);
    const arns = arnScope(settings);
    const policy = policyFromSettings(settings);
    const { stackPrefix, notifications } = settings;

    useStateBackend(this, settings.backend);
    const providers = new AwsProviders(this, "aws", {
      region: settings.region,
      accountId: settings.accountId,
      tags: { ...settings.tags, FlightDeckDeployment: settings.name },
    });

    const userBucket = new UserBucket(this, "user-bucket", {
      bucketName: names.userBucket,
      scope: arns,
      noncurrentVersionDays: settings.retention.noncurrentVersionDays,
    });
    const access = new UserAccess(this, "user-access", {
      scope: arns,
      userBucket: names.userBucket,
      groupName: names.userGroup,
      policyName: names.userPolicy,
      iamUsers: settings.iamUsers,
    });

    const createdBucket =
      settings.customizer.existingBucket === undefined
        ? [
            new PrivateBucket(this, "customizer-bucket", {
              bucketName: names.customizerBucket,
              scope: arns,
            }).bucket,
          ]
        : undefined;
    new CustomizerContent(this, "customizer", {
      bucket: names.customizerBucket,
      prefix: settings.customizer.prefix,
      scriptsDir: props.customizerScriptsDir,
      users: settings.users,
      dependsOn: createdBucket,
    });
    const documents = new DeploymentDocuments(this, "documents", {
      bucket: names.customizerBucket,
      region: settings.region,
      template,
      policy,
      dependsOn: createdBucket,
    });

    const ssmParameters = ssmParameterArns(template.template, arns, policy);
    const serviceRole = new ServiceRole(this, "service-role", {
      roleName: names.serviceRole,
      scope: arns,
      statements: serviceRoleStatements(template.template, {
        scope: arns,
        stackPrefix,
        ssmParameterArns: ssmParameters,
      }),
    });
    const deadLetters = new DeadLetterQueue(this, "dead-letters", {
      queueName: names.deadLetterQueue,
      scope: arns,
    });
    if (notifications !== undefined) {
      new SenderIdentity(this, "sender", {
        senderEmail: notifications.senderEmail,
        provider: providers.forRegion(notifications.sesRegion),
      });
    }

    const environments = handlerEnvironments({
      region: settings.region,
      userBucket: names.userBucket,
      customizerBucket: names.customizerBucket,
      policyKey: documents.policyObject.key,
      templateKey: documents.templateObject.key,
      serviceRoleArn: serviceRole.role.arn,
      notifications,
    });
    const permissionContext = (functionName: string) => ({
      scope: arns,
      stackPrefix,
      userBucket: names.userBucket,
      customizerBucket: names.customizerBucket,
      policyKey: documents.policyKey,
      logGroupName: logGroupNameFor(functionName),
      deadLetterQueueArn: deadLetters.queueArn,
      notifications,
    });
    const handlerBase = {
      deadLetterQueueArn: deadLetters.queue.arn,
      logRetentionDays: settings.retention.logDays,
      ...HANDLER_SIZING,
    };
    const createHandler = new HandlerFunction(this, "cf-create", {
      ...handlerBase,
      functionName: names.createFunction,
      bundleDir: `${props.bundlesDir}/cf-create`,
      environment: environments.create,
      statements: createHandlerStatements({
        ...permissionContext(names.createFunction),
        customizerPrefix: settings.customizer.prefix,
        templateKey: documents.templateKey,
        templateUrl: documents.templateUrl,
        serviceRoleArn: serviceRole.roleArn,
        ssmParameterArns: ssmParameters,
        needsInstanceLookup: needsInstanceLookup(template.template),
      }),
    });
    const deleteHandler = new HandlerFunction(this, "cf-delete", {
      ...handlerBase,
      functionName: names.deleteFunction,
      bundleDir: `${props.bundlesDir}/cf-delete`,
      environment: environments.delete,
      statements: deleteHandlerStatements(permissionContext(names.deleteFunction)),
    });

    new BucketTriggers(this, "bucket-triggers", {
      bucketId: userBucket.bucketId,
      bucketArn: userBucket.bucketArn,
      accountId: settings.accountId,
      handlers: { create: createHandler.function, delete: deleteHandler.function },
    });
    const ruleBase = { scope: arns, stackPrefix, deadLetterQueueArn: deadLetters.queue.arn };
    const createdRule = new StackStatusRule(this, "create-outcomes", {
      ...ruleBase,
      ruleName: names.createdRule,
      description: "FlightDeck: a cluster stack finished creating (or failed to).",
      statuses: CREATE_OUTCOME_STATUSES,
      target: createHandler.function,
    });
    const deletedRule = new StackStatusRule(this, "delete-outcomes", {
      ...ruleBase,
      ruleName: names.deletedRule,
      description: "FlightDeck: a cluster stack finished deleting (or failed to).",
      statuses: DELETE_OUTCOME_STATUSES,
      target: deleteHandler.function,
    });
    deadLetters.acceptUndeliveredEventsFrom([createdRule.rule.arn, deletedRule.rule.arn]);

    const outputs: Record<string, { value: string; description: string }> = {
      user_bucket: {
        value: names.userBucket,
        description: "Users' bucket: home/<user>/ holds their files.",
      },
      customizer_bucket: {
        value: names.customizerBucket,
        description: "Customizer scripts, template and policy.",
      },
      user_policy_arn: {
        value: access.policy.arn,
        description: "Managed policy granting a user their home folder.",
      },
      user_group: {
        value: access.group.name,
        description: "IAM group to add FlightDeck users to.",
      },
      create_function: {
        value: createHandler.function.functionName,
        description: "The cf-create Lambda.",
      },
      delete_function: {
        value: deleteHandler.function.functionName,
        description: "The cf-delete Lambda.",
      },
      dead_letter_queue_url: {
        value: deadLetters.queue.url,
        description: "Events the handlers could not process.",
      },
      service_role_arn: {
        value: serviceRole.role.arn,
        description: "Role CloudFormation builds clusters with.",
      },
      template_key: {
        value: documents.templateKey,
        description: "The cluster template in the customizer bucket.",
      },
      policy_key: {
        value: documents.policyKey,
        description: "The deployment policy in the customizer bucket.",
      },
    };
    for (const [name, output] of Object.entries(outputs)) new TerraformOutput(this, name, output);
  }
}
