import { Fn } from "cdktf";
import type { UserAccess } from "../access/user-access.js";
import type { ServiceRole } from "../cloudformation/service-role.js";
import type { DeploymentDocuments } from "../deployment/deployment-documents.js";
import type { DeadLetterQueue } from "../functions/dead-letter-queue.js";
import type { Handlers } from "../functions/handlers.js";
import type { DeadLetterAlarm } from "../alarms/dead-letter-alarm.js";
import type { ClusterRegistryTable } from "../registry/cluster-registry-table.js";
import type { UserHomes } from "../homes/user-homes.js";
import type { DeploymentNetwork } from "../network/deployment-network.js";
import type { DeploymentNames } from "../settings/names.js";

/** One Terraform output: its value (often a reference) and what it is for. */
export interface DeploymentOutput {
  readonly value: string;
  readonly description: string;
}

/** What the outputs are read from. */
export interface OutputSources {
  readonly names: DeploymentNames;
  readonly access: UserAccess;
  readonly handlers: Handlers;
  readonly deadLetters: DeadLetterQueue;
  readonly serviceRole: ServiceRole;
  readonly documents: DeploymentDocuments;
  readonly registry: ClusterRegistryTable;
  readonly alarm: DeadLetterAlarm;
  readonly network: DeploymentNetwork;
  readonly homes: UserHomes;
}

/**
 * What `terraform output` shows an admin after a deploy, by output name: the
 * buckets, the users' policy and the group to add users to (with IAM users),
 * the functions, the dead-letter queue, the service role and the documents' keys.
 */
// eslint-disable-next-line max-lines-per-function -- one entry per `terraform output`, a table read whole
export function deploymentOutputs(sources: OutputSources): Record<string, DeploymentOutput> {
  const { names, access, handlers, deadLetters, serviceRole, documents, registry, alarm } = sources;
  const { network, homes } = sources;
  const group: Record<string, DeploymentOutput> =
    access.group === undefined
      ? {}
      : {
          user_group: {
            value: access.group.name,
            description: "IAM group to add FlightDeck users to.",
          },
        };
  return {
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
    user_policy_name: {
      value: access.policy.name,
      description:
        "The users' policy by name (path /), as a permission set's customer managed policy reference takes it.",
    },
    ...group,
    create_function: {
      value: handlers.createHandler.function.functionName,
      description: "The cf-create Lambda.",
    },
    delete_function: {
      value: handlers.deleteHandler.function.functionName,
      description: "The cf-delete Lambda.",
    },
    dead_letter_queue_url: {
      value: deadLetters.queue.url,
      description:
        "Events the handlers could not process: flightdeck admin redrive --queue <this>.",
    },
    alarm_topic_arn: {
      value: alarm.topic.arn,
      description: "SNS topic the dead-letter alarm notifies; subscribe more addresses to it.",
    },
    registry_table: {
      value: registry.table.name,
      description: "The cluster registry: each user's clusters and request count.",
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
    vpc_id: {
      value: network.vpcId,
      description: "The VPC every cluster runs in.",
    },
    subnet_ids: {
      value: Fn.join(
        ",",
        network.subnets.map((subnet) => subnet.id),
      ),
      description: "The clusters' subnets, one per Availability Zone.",
    },
    home_file_systems: {
      value: Fn.jsonencode(
        Object.fromEntries(homes.homes.map((home) => [home.owner.id, home.fileSystem.id])),
      ),
      description: "Each user's home file system (EFS), by user id, as JSON.",
    },
  };
}
