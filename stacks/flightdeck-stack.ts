import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { UserAccess } from "./access/user-access.js";
import { NodeBoundary } from "./cloudformation/node-boundary.js";
import { ServiceRole } from "./cloudformation/service-role.js";
import {
  serviceRoleStatements,
  ssmParameterArns,
} from "./cloudformation/service-role-permissions.js";
import { CustomizerContent } from "./customizer/customizer-content.js";
import type { ClusterTemplateFile } from "./deployment/cluster-template.js";
import { DeploymentDocuments } from "./deployment/deployment-documents.js";
import { DeadLetterAlarm } from "./alarms/dead-letter-alarm.js";
import { RefusedRequestsAlarm } from "./alarms/refused-requests-alarm.js";
import { DeadLetterQueue } from "./functions/dead-letter-queue.js";
import { Handlers } from "./functions/handlers.js";
import { arnScope } from "./iam/arns.js";
import { UserHomes } from "./homes/user-homes.js";
import { DeploymentNetwork } from "./network/deployment-network.js";
import { SenderIdentity } from "./notifications/sender-identity.js";
import { deploymentOutputs } from "./outputs/deployment-outputs.js";
import { AwsProviders } from "./provider/aws-providers.js";
import { useStateBackend } from "./provider/state-backend.js";
import { namesFor } from "./settings/names.js";
import { policyFromSettings } from "./settings/policy.js";
import type { Settings } from "./settings/settings-shape.js";
import { ClusterRegistryTable } from "./registry/cluster-registry-table.js";
import { budgetAlertsFor } from "./budgets/budget-alerts.js";
import { UsageTable } from "./budgets/usage-table.js";
import { moneyNamesFor } from "./settings/budget-settings.js";
import { PrivateBucket } from "./storage/private-bucket.js";
import { UserBucket } from "./storage/user-bucket.js";

/** Properties of the {@link FlightDeckStack}: the settings and the files it deploys. */
export interface FlightDeckStackProps {
  readonly settings: Settings;
  readonly template: ClusterTemplateFile;
  /** Folder of the default customizer scripts. */
  readonly customizerScriptsDir: string;
  /** Folder holding the built `cf-create/` and `cf-delete/` bundles. */
  readonly bundlesDir: string;
}

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
      identity: settings.identity,
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
    new NodeBoundary(this, "node-boundary", {
      policyName: names.nodeBoundary,
      scope: arns,
      stackPrefix,
      customizerBucket: names.customizerBucket,
      customizerPrefix: settings.customizer.prefix,
      userBucket: names.userBucket,
    });
    const serviceRole = new ServiceRole(this, "service-role", {
      roleName: names.serviceRole,
      scope: arns,
      accountId: settings.accountId,
      statements: serviceRoleStatements(template.template, {
        scope: arns,
        stackPrefix,
        deployment: settings.name,
        nodeBoundaryArn: policy.nodePermissionsBoundary,
        existingVpcId: settings.network.kind === "existing" ? settings.network.vpcId : undefined,
        ssmParameterArns: ssmParameters,
      }),
    });
    const deadLetters = new DeadLetterQueue(this, "dead-letters", {
      queueName: names.deadLetterQueue,
      scope: arns,
    });
    const alarm = new DeadLetterAlarm(this, "dead-letter-alarm", {
      alarmName: names.deadLetterAlarm,
      topicName: names.alarmTopic,
      queueName: names.deadLetterQueue,
      email: settings.alarmEmail,
    });
    const network = new DeploymentNetwork(this, "network", {
      deployment: settings.name,
      region: settings.region,
      network: settings.network,
    });
    const homes = new UserHomes(this, "homes", {
      deployment: settings.name,
      region: settings.region,
      owners: settings.homes.owners,
      vpcId: network.vpcId,
      subnets: network.subnets,
      alarmTopicArn: alarm.topic.arn,
    });
    const registry = new ClusterRegistryTable(this, "registry", {
      tableName: names.registryTable,
      scope: arns,
      deletionProtection: settings.registry.deletionProtection,
    });
    const money = moneyNamesFor(settings);
    const usage = new UsageTable(this, "usage", {
      tableName: money.usageTable,
      scope: arns,
      deletionProtection: settings.registry.deletionProtection,
    });
    budgetAlertsFor(this, settings);
    if (notifications !== undefined) {
      new SenderIdentity(this, "sender", {
        senderEmail: notifications.senderEmail,
        provider: providers.forRegion(notifications.sesRegion),
      });
    }

    // "Default" is cdktf's hidden construct id: the handlers' resources keep
    // the logical ids they had as the stack's own children, so nothing in a
    // deployed state moves.
    const handlers = new Handlers(this, "Default", {
      names,
      scope: arns,
      region: settings.region,
      accountId: settings.accountId,
      stackPrefix,
      customizerPrefix: settings.customizer.prefix,
      notifications,
      logRetentionDays: settings.retention.logDays,
      bundlesDir: props.bundlesDir,
      template: template.template,
      ssmParameterArns: ssmParameters,
      userBucket,
      documents,
      serviceRole,
      deadLetters,
      registry,
      usage,
      concurrency: settings.concurrency,
    });

    const logGroups = [handlers.createHandler.logGroup, handlers.deleteHandler.logGroup];
    new RefusedRequestsAlarm(this, "refused-requests", {
      deployment: settings.name,
      logGroupNames: logGroups.map((group) => group.name),
      users: settings.users.map((user) => user.id),
      threshold: settings.refusedRequestsAlarm,
      topicArn: alarm.topic.arn,
      dependsOn: logGroups,
    });

    const outputs = deploymentOutputs({
      names,
      access,
      handlers,
      deadLetters,
      serviceRole,
      documents,
      registry,
      alarm,
      network,
      homes,
    });
    for (const [name, output] of Object.entries(outputs)) new TerraformOutput(this, name, output);
    new TerraformOutput(this, "usage_table", {
      value: usage.table.name,
      description: "The usage ledger: flightdeck admin usage --table <this>",
    });
  }
}
