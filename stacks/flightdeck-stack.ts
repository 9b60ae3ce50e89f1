import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { DeploymentPolicy } from "../functions/shared/deployment-policy.js";
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
import { arnScope, type ArnScope } from "./iam/arns.js";
import { UserHomes } from "./homes/user-homes.js";
import { DeploymentNetwork } from "./network/deployment-network.js";
import { SenderIdentity } from "./notifications/sender-identity.js";
import { deploymentOutputs } from "./outputs/deployment-outputs.js";
import { AwsProviders } from "./provider/aws-providers.js";
import { useStateBackend } from "./provider/state-backend.js";
import { namesFor, type DeploymentNames } from "./settings/names.js";
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

/** What every part of the stack is built from: the settings and what they name and allow. */
interface Deployment {
  readonly settings: Settings;
  readonly names: DeploymentNames;
  readonly arns: ArnScope;
  readonly policy: DeploymentPolicy;
}

/** All of FlightDeck: buckets, user access, customizer, service role, handlers, triggers. */
export class FlightDeckStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: FlightDeckStackProps) {
    super(scope, id);
    const { settings } = props;
    const deployment: Deployment = {
      settings,
      names: namesFor(settings),
      arns: arnScope(settings),
      policy: policyFromSettings(settings),
    };

    useStateBackend(this, settings.backend);
    const providers = new AwsProviders(this, "aws", {
      region: settings.region,
      accountId: settings.accountId,
      tags: { ...settings.tags, FlightDeckDeployment: settings.name },
    });
    const parts: StackParts = {
      ...userStorage(this, deployment, props),
      ...clusterPermissions(this, deployment, props.template),
      ...operationsFor(this, deployment, providers),
    };
    const handlers = handlersFor(this, deployment, props, parts);

    const outputs = deploymentOutputs({ names: deployment.names, ...parts, handlers });
    for (const [name, output] of Object.entries(outputs)) new TerraformOutput(this, name, output);
    new TerraformOutput(this, "usage_table", {
      value: parts.usage.table.name,
      description: "The usage ledger: flightdeck admin usage --table <this>",
    });
  }
}

/** The users' side: their bucket and access to it, and the customizer's scripts and documents. */
function userStorage(
  stack: Construct,
  { settings, names, arns, policy }: Deployment,
  props: FlightDeckStackProps,
) {
  const userBucket = new UserBucket(stack, "user-bucket", {
    bucketName: names.userBucket,
    scope: arns,
    noncurrentVersionDays: settings.retention.noncurrentVersionDays,
  });
  const access = new UserAccess(stack, "user-access", {
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
          new PrivateBucket(stack, "customizer-bucket", {
            bucketName: names.customizerBucket,
            scope: arns,
          }).bucket,
        ]
      : undefined;
  new CustomizerContent(stack, "customizer", {
    bucket: names.customizerBucket,
    prefix: settings.customizer.prefix,
    scriptsDir: props.customizerScriptsDir,
    users: settings.users,
    dependsOn: createdBucket,
  });
  const documents = new DeploymentDocuments(stack, "documents", {
    bucket: names.customizerBucket,
    region: settings.region,
    template: props.template,
    policy,
    dependsOn: createdBucket,
  });
  return { userBucket, access, documents };
}

/** What clusters may do: the nodes' permissions boundary and the service role CloudFormation uses. */
function clusterPermissions(
  stack: Construct,
  { settings, names, arns, policy }: Deployment,
  template: ClusterTemplateFile,
) {
  const { stackPrefix } = settings;
  const ssmParameters = ssmParameterArns(template.template, arns, policy);
  new NodeBoundary(stack, "node-boundary", {
    policyName: names.nodeBoundary,
    scope: arns,
    stackPrefix,
    customizerBucket: names.customizerBucket,
    customizerPrefix: settings.customizer.prefix,
    userBucket: names.userBucket,
  });
  const serviceRole = new ServiceRole(stack, "service-role", {
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
  return { ssmParameters, serviceRole };
}

/**
 * What runs alongside the handlers: the dead-letter queue and its alarm, the
 * network clusters share and the users' homes in it, the cluster registry,
 * the usage ledger and the budgets, and the sender of notices.
 */
function operationsFor(
  stack: Construct,
  { settings, names, arns }: Deployment,
  providers: AwsProviders,
) {
  const deadLetters = new DeadLetterQueue(stack, "dead-letters", {
    queueName: names.deadLetterQueue,
    scope: arns,
  });
  const alarm = new DeadLetterAlarm(stack, "dead-letter-alarm", {
    alarmName: names.deadLetterAlarm,
    topicName: names.alarmTopic,
    queueName: names.deadLetterQueue,
    email: settings.alarmEmail,
  });
  const network = new DeploymentNetwork(stack, "network", {
    deployment: settings.name,
    region: settings.region,
    network: settings.network,
  });
  const homes = new UserHomes(stack, "homes", {
    deployment: settings.name,
    region: settings.region,
    owners: settings.homes.owners,
    vpcId: network.vpcId,
    subnets: network.subnets,
    alarmTopicArn: alarm.topic.arn,
  });
  const registry = new ClusterRegistryTable(stack, "registry", {
    tableName: names.registryTable,
    scope: arns,
    deletionProtection: settings.registry.deletionProtection,
  });
  const usage = new UsageTable(stack, "usage", {
    tableName: moneyNamesFor(settings).usageTable,
    scope: arns,
    deletionProtection: settings.registry.deletionProtection,
  });
  budgetAlertsFor(stack, settings);
  const { notifications } = settings;
  if (notifications !== undefined) {
    new SenderIdentity(stack, "sender", {
      senderEmail: notifications.senderEmail,
      provider: providers.forRegion(notifications.sesRegion),
    });
  }
  return { deadLetters, alarm, network, homes, registry, usage };
}

/** The handlers, wired to the parts above, and the alarm on the requests they refuse. */
function handlersFor(
  stack: Construct,
  { settings, names, arns }: Deployment,
  props: FlightDeckStackProps,
  parts: StackParts,
): Handlers {
  // "Default" is cdktf's hidden construct id: the handlers' resources keep
  // the logical ids they had as the stack's own children, so nothing in a
  // deployed state moves.
  const handlers = new Handlers(stack, "Default", {
    names,
    scope: arns,
    region: settings.region,
    accountId: settings.accountId,
    stackPrefix: settings.stackPrefix,
    customizerPrefix: settings.customizer.prefix,
    notifications: settings.notifications,
    logRetentionDays: settings.retention.logDays,
    bundlesDir: props.bundlesDir,
    template: props.template.template,
    ssmParameterArns: parts.ssmParameters,
    userBucket: parts.userBucket,
    documents: parts.documents,
    serviceRole: parts.serviceRole,
    deadLetters: parts.deadLetters,
    registry: parts.registry,
    usage: parts.usage,
    concurrency: settings.concurrency,
  });

  const logGroups = [handlers.createHandler.logGroup, handlers.deleteHandler.logGroup];
  new RefusedRequestsAlarm(stack, "refused-requests", {
    deployment: settings.name,
    logGroupNames: logGroups.map((group) => group.name),
    users: settings.users.map((user) => user.id),
    threshold: settings.refusedRequestsAlarm,
    topicArn: parts.alarm.topic.arn,
    dependsOn: logGroups,
  });
  return handlers;
}

/** The constructs the handlers and the outputs are wired to. */
type StackParts = ReturnType<typeof userStorage> &
  ReturnType<typeof clusterPermissions> &
  ReturnType<typeof operationsFor>;
