import { left, right, type Either } from "fp-ts/lib/Either.js";
import { nodeCountProblem, type ClusterConfig } from "./cluster-config.js";
import { defaultsFor, limitsFor } from "./deployment-policy.js";
import {
  clusterFootprint,
  raiseSpotFallbackToMinimum,
  settleComputeGroup,
  vcpuErrors,
} from "./merge-capacity.js";
import { limitErrors } from "./merge-limits.js";
import {
  declarationErrors,
  declarationsOf,
  effectiveValue,
  loginErrors,
  requestedValues,
  setSystemValues,
  systemValues,
} from "./merge-values.js";
import { createStackPlan, type CreateStackPlan, type StackRequest } from "./stack-plan.js";

export type { CreateStackPlan, TemplateReference } from "./stack-plan.js";

/** Everything a merge needs. Nothing here is mutated. */
export interface MergeInput extends StackRequest {
  readonly config: ClusterConfig;
}

/**
 * Merges a user's config into the template under the deployment policy.
 *
 * Precedence: template `Default` < deployment defaults (the user's own
 * overrides included) < the user's config < system-forced values
 * (`AccessUsername`, `AccessUid`, `FlightProfiles`, `ClusterName`, the customizer
 * location, and the SSM parameter names of the shared network and the user's home).
 * As in Alces Flight templates, `AccessUsername` is the Linux login on the
 * cluster and `FlightProfiles` the customizer profile to run: the user's
 * folder, `<prefix>/<user id>/`. So the login comes from the policy (the
 * settings' `login`, or the one derived from the id) and the folder is the id.
 * Only parameters the template declares are sent, and template defaults are
 * left to CloudFormation. Every value is checked against the template's
 * constraints and the admin's limits; all problems are returned at once.
 *
 * @example
 * mergeTemplate({ template, policy, user: "alice", cluster: "c1", requestId: "v1",
 *                 config: { ComputeMaxNodes: "25" } })
 * // => right({ stackName: "fd-alice-c1",
 * //            parameters: [{ ParameterKey: "AccessUsername", ParameterValue: "alice" }, // the login
 * //                         { ParameterKey: "ComputeMaxNodes", ParameterValue: "25" }, …],
 * //            tags: [{ Key: "USER", Value: "alice" }, …], … })
 */
export function mergeTemplate(input: MergeInput): Either<string[], CreateStackPlan> {
  const { template, policy, user, cluster, config } = input;
  const declared = declarationsOf(template);
  const limits = limitsFor(policy, user);

  const { values, errors } = requestedValues(declared, defaultsFor(policy, user), config);
  errors.push(...loginErrors(policy, user));
  setSystemValues(values, declared, systemValues(policy, user, cluster));
  const effective = effectiveValue(declared, values);

  const group = settleComputeGroup({ values, declared, effective, template, config, limits });
  errors.push(...group.errors);
  raiseSpotFallbackToMinimum(values, declared, limits);

  errors.push(...declarationErrors(declared, values));
  const nodeCounts = nodeCountProblem(
    effective("ComputeInitialNodes"),
    effective("ComputeMaxNodes"),
  );
  if (nodeCounts !== undefined) errors.push(nodeCounts);
  errors.push(...limitErrors(effective, limits, template, group.computeTypes));
  const footprint = clusterFootprint(effective, template, group.computeTypes);
  errors.push(...vcpuErrors(footprint, limits));

  if (errors.length > 0) return left([...new Set(errors)]);
  return right(createStackPlan(input, values, footprint.total ?? 0));
}
