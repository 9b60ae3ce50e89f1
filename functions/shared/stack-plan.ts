import {
  capabilitiesFor,
  MAX_TEMPLATE_BODY_BYTES,
  type Capability,
  type CfnTemplate,
} from "./cfn-template.js";
import { DEPLOYMENT_TAG, MANAGED_BY, type DeploymentPolicy } from "./deployment-policy.js";
import type { ClusterName, UserId } from "./identifiers.js";
import { createTokenFor } from "./request-tokens.js";
import { stackNameFor, type StackName } from "./stack-name.js";

/** Whose stack a plan is for, with what template, for which request. */
export interface StackRequest {
  readonly template: CfnTemplate;
  readonly policy: DeploymentPolicy;
  readonly user: UserId;
  readonly cluster: ClusterName;
  /** Tells one trigger upload from the next: the S3 version id or event sequencer. */
  readonly requestId: string;
}

/** How the template reaches CloudFormation. */
export type TemplateReference =
  | { readonly kind: "body"; readonly body: string; readonly bytes: number }
  | { readonly kind: "url-required"; readonly bytes: number };

/** The merged request: all of `CreateStack` except the template URL and service role, which are the shell's. */
export interface CreateStackPlan {
  readonly stackName: StackName;
  readonly parameters: ReadonlyArray<{
    readonly ParameterKey: string;
    readonly ParameterValue: string;
  }>;
  readonly tags: ReadonlyArray<{ readonly Key: string; readonly Value: string }>;
  readonly capabilities: readonly Capability[];
  readonly clientRequestToken: string;
  readonly template: TemplateReference;
  /**
   * The most vCPUs the cluster may run: the master plus ComputeMaxNodes ×
   * the largest compute type's. Its weight in the user's `maxVcpus`; 0 when
   * the instance types' sizes are unknown and no vCPU limit applies.
   */
  readonly vcpus: number;
}

/**
 * The plan for a request whose parameter values are settled and checked:
 * the parameters sorted by name, the stack's tags, the capabilities the
 * template needs, an idempotency token for the request, and the template
 * inline when it is small enough to be.
 */
export function createStackPlan(
  request: StackRequest,
  values: ReadonlyMap<string, { readonly value: string }>,
  vcpus: number,
): CreateStackPlan {
  const { template, policy, user, cluster } = request;
  const stackName = stackNameFor(policy.stackPrefix, user, cluster);
  return {
    stackName,
    parameters: [...values.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([ParameterKey, { value }]) => ({ ParameterKey, ParameterValue: value })),
    tags: tagsFor(policy, user, cluster),
    capabilities: capabilitiesFor(template),
    clientRequestToken: createTokenFor(stackName, request.requestId),
    template: templateReference(template),
    vcpus,
  };
}

/** The template inline, or the note that it is too big to be. */
function templateReference(template: CfnTemplate): TemplateReference {
  const body = JSON.stringify(template);
  const bytes = new TextEncoder().encode(body).byteLength;
  return bytes <= MAX_TEMPLATE_BODY_BYTES
    ? { kind: "body", body, bytes }
    : { kind: "url-required", bytes };
}

/** The stack's tags: the deployment's, then FlightDeck's own, which always win. */
function tagsFor(
  policy: DeploymentPolicy,
  user: UserId,
  cluster: ClusterName,
): Array<{ Key: string; Value: string }> {
  const tags = new Map(Object.entries(policy.tags));
  tags.set("USER", user);
  tags.set("CLUSTER", cluster);
  tags.set("ManagedBy", MANAGED_BY);
  tags.set(DEPLOYMENT_TAG, policy.deployment);
  return [...tags.entries()].map(([Key, Value]) => ({ Key, Value }));
}
