import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";

/*
 * IAM for the fake: every call a node makes is decided under its instance
 * role's policies, as the template creates them (resolved with the stack's
 * values), and under the deployment's permissions boundary the role carries,
 * by @cloud-copilot/iam-simulate. A call no policy allows is
 * answered AccessDenied, so the rehearsal proves the roles are enough and
 * shows anything they let through that the nodes never need.
 */

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: unknown;
}

/** An instance role: its name, ARN, every identity policy attached to it, and its permissions boundary. */
export interface Role {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly policies: Array<{ readonly name: string; readonly document: PolicyDocument }>;
  readonly boundary?: { readonly name: string; readonly document: PolicyDocument } | undefined;
}

/** One request to authorize. */
export interface AuthorizationRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
}

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

/** IAM's decision for `request` by a session of `role` (the instance's). */
export async function authorize(
  role: Role,
  session: string,
  accountId: string,
  request: AuthorizationRequest,
): Promise<Decision> {
  const simulation: Simulation = {
    request: {
      principal: `arn:aws:sts::${accountId}:assumed-role/${role.name}/${session}`,
      action: request.action,
      resource: { resource: request.resource, accountId },
      contextVariables: request.context ?? {},
    },
    identityPolicies: role.policies.map((p) => ({ name: p.name, policy: p.document })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(role.boundary === undefined
      ? {}
      : {
          permissionBoundaryPolicies: [
            { name: role.boundary.name, policy: role.boundary.document },
          ],
        }),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === "error") {
    throw new Error(
      `IAM simulation of ${request.action} on ${request.resource} failed: ${JSON.stringify(result.errors)}`,
    );
  }
  return result.overallResult as Decision;
}
