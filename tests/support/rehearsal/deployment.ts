import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isLeft } from "fp-ts/lib/Either.js";
import type { UserId } from "../../../functions/shared/identifiers.js";
import {
  homeParameterNames,
  networkParameterNames,
} from "../../../functions/shared/deployment-parameters.js";
import { nodeBoundaryStatements } from "../../../stacks/cloudformation/node-boundary.js";
import { mountTargetIngress } from "../../../stacks/homes/home-network.js";
import { arnScope } from "../../../stacks/iam/arns.js";
import { policyDocument } from "../../../stacks/iam/policy-document.js";
import { namesFor } from "../../../stacks/settings/names.js";
import { policyFromSettings } from "../../../stacks/settings/policy.js";
import { DEFAULT_SETTINGS_PATH, decodeSettings } from "../../../stacks/settings/settings.js";
import type { Settings } from "../../../stacks/settings/settings-shape.js";
import type { PolicyDocument } from "./fake-aws/iam.js";
import type { DeploymentSeed } from "./fake-aws/vpc.js";
import { REPO_ROOT } from "./host.js";
import { addressIn } from "./ipv4.js";
import { ACCESS_NETWORK, VPC_CIDR } from "./network.js";

/*
 * The deployment the rehearsal's clusters live in: settings/example.json as
 * an admin would deploy it into the fake's account, decoded the normal way,
 * and what Terraform would then have built from it, seeded into the fake:
 * the shared VPC with a subnet per zone, the SSM parameters the template's
 * parameters resolve from, and each user's home (an EFS file system, its
 * client group, its mount-target group and a mount target in every subnet).
 */

/** The fake's account: the example deployment is deployed into it. */
export const ACCOUNT_ID = "123456789012";

/** What the scaling rehearsal needs: 28 nodes of 8 vCPUs, beyond the example's 128 vCPUs. */
const REHEARSAL_MAX_VCPUS = 256;

/**
 * A user whose IAM name Linux refuses as a login, as most organisations name
 * people: their customizer folder keeps the name, they log in as `john_smith`.
 */
export const DOTTED_USER = "John.Smith";

/**
 * settings/example.json, deployed into the fake's account (the example names
 * none) with the rehearsal's access network, {@link DOTTED_USER} added and
 * each user's vCPU limit raised to {@link REHEARSAL_MAX_VCPUS}; decoded as
 * the deployment decodes it, so every default (the network, the homes, the
 * UIDs) is the real one.
 */
export function rehearsalSettings(
  /** Limits to add for particular users, by user id: what a test's admin allows them. */
  userLimits: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
): Settings {
  const path = join(REPO_ROOT, DEFAULT_SETTINGS_PATH);
  // The file as an admin writes it: decodeSettings checks all of it.
  const example = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  const users = (example["users"] ?? []) as Array<Record<string, unknown>>;
  const [first] = users;
  if (first === undefined) throw new Error("settings/example.json has no user");
  const file = {
    ...example,
    accountId: ACCOUNT_ID,
    accessNetwork: ACCESS_NETWORK,
    users: [...users, { id: DOTTED_USER, sshPublicKey: first["sshPublicKey"] }].map((user) => ({
      ...user,
      limits: {
        ...(user["limits"] as object | undefined),
        maxVcpus: REHEARSAL_MAX_VCPUS,
        ...userLimits[String(user["id"])],
      },
    })),
  };
  const decoded = decodeSettings(file);
  if (isLeft(decoded)) throw new Error(`the rehearsal's settings: ${decoded.left.join("; ")}`);
  if (decoded.right.network.kind !== "created" || decoded.right.network.cidr !== VPC_CIDR) {
    throw new Error(`the rehearsal's VPC is ${VPC_CIDR}, built by the deployment`);
  }
  return decoded.right;
}

/**
 * The managed policies a deployment of `settings` creates that nodes meet:
 * the permissions boundary every cluster role carries, so the fake decides
 * each node call under the boundary as well as the role.
 */
export function deployedPolicies(settings: Settings): Record<string, PolicyDocument> {
  const boundary = nodeBoundaryStatements({
    scope: arnScope(settings),
    stackPrefix: settings.stackPrefix,
    customizerBucket: namesFor(settings).customizerBucket,
    customizerPrefix: settings.customizer.prefix,
    userBucket: namesFor(settings).userBucket,
  });
  return { [policyFromSettings(settings).nodePermissionsBoundary]: policyDocument(boundary) };
}

/** An id as AWS makes them: `prefix-` and 17 hex digits. */
const awsId = (prefix: string) => `${prefix}-${randomBytes(9).toString("hex").slice(0, 17)}`;

/** One user's home as the deployment built it: what the rehearsal's tests look up. */
export interface Home {
  readonly owner: string;
  readonly uid: string;
  readonly fileSystemId: string;
  readonly clientSecurityGroupId: string;
  /** Its mount targets' addresses, by zone. */
  readonly mountTargets: Readonly<Record<string, string>>;
}

/**
 * What the deployment of `settings` built, with ids as AWS would have chosen
 * them: the fake's seed, and each user's {@link Home}. Mount targets take
 * addresses from the top of each subnet (instances count up from its base).
 */
export function deploymentSeed(settings: Settings): { seed: DeploymentSeed; homes: Home[] } {
  const { network } = settings;
  if (network.kind !== "created") throw new Error("the rehearsal builds its own VPC");
  const deployment = policyFromSettings(settings).deployment;
  const subnets = network.subnets.map((s) => ({ id: awsId("subnet"), zone: s.zone, cidr: s.cidr }));
  const names = networkParameterNames(deployment);
  const parameters: Record<string, string> = {};
  const vpcId = awsId("vpc");
  parameters[names.vpcId] = vpcId;
  parameters[names.subnetIds] = subnets.map((s) => s.id).join(",");
  const securityGroups: DeploymentSeed["securityGroups"][number][] = [];
  const fileSystems: DeploymentSeed["fileSystems"][number][] = [];
  const homes: Home[] = [];
  for (const [index, owner] of settings.homes.owners.entries()) {
    const client = awsId("sg");
    const targets = awsId("sg");
    const rule = mountTargetIngress(client);
    securityGroups.push(
      { id: client, description: `NFS clients of ${owner.id}'s home`, ingress: [] },
      {
        id: targets,
        description: `${owner.id}'s home's mount targets`,
        ingress: [
          {
            id: awsId("sgr"),
            protocol: rule.protocol,
            fromPort: rule.fromPort,
            toPort: rule.toPort,
            sourceGroupId: rule.sourceSecurityGroupId,
            description: rule.description,
          },
        ],
      },
    );
    const mountTargets = subnets.map((subnet) => ({
      id: awsId("fsmt"),
      subnetId: subnet.id,
      ip: addressIn(subnet.cidr, -2 - index),
      securityGroups: [targets],
    }));
    const fileSystemId = awsId("fs");
    fileSystems.push({ id: fileSystemId, owner: owner.id, mountTargets });
    const home = homeParameterNames(deployment, owner.id as UserId);
    parameters[home.fileSystemId] = fileSystemId;
    parameters[home.clientSecurityGroupId] = client;
    homes.push({
      owner: owner.id,
      uid: owner.uid,
      fileSystemId,
      clientSecurityGroupId: client,
      mountTargets: Object.fromEntries(mountTargets.map((t, i) => [subnets[i]?.zone ?? "", t.ip])),
    });
  }
  return {
    seed: { vpcId, vpcCidr: network.cidr, subnets, parameters, securityGroups, fileSystems },
    homes,
  };
}
