import type { Capability } from "./cfn-template.js";
import type { CreateStackPlan } from "./template-merge.js";

/** The `CreateStack` request, shaped as the SDK's `CreateStackInput` (without importing the SDK). */
export interface CreateStackRequest {
  readonly StackName: string;
  readonly TemplateURL: string;
  readonly RoleARN: string;
  readonly Parameters: Array<{ ParameterKey: string; ParameterValue: string }>;
  readonly Tags: Array<{ Key: string; Value: string }>;
  readonly Capabilities: Capability[];
  readonly ClientRequestToken: string;
  readonly OnFailure: "ROLLBACK";
}

/**
 * The exact request cf-create sends for a merged plan. The template always
 * goes by URL (the deployment uploads it), and CloudFormation builds with
 * the service role, never with the Lambda's own powers. A failed create rolls
 * back, and cf-create then deletes the stack once it has told the user why.
 */
export function createStackRequest(
  plan: CreateStackPlan,
  templateUrl: string,
  roleArn: string,
): CreateStackRequest {
  return {
    StackName: plan.stackName,
    TemplateURL: templateUrl,
    RoleARN: roleArn,
    Parameters: plan.parameters.map((p) => ({ ...p })),
    Tags: plan.tags.map((t) => ({ ...t })),
    Capabilities: [...plan.capabilities],
    ClientRequestToken: plan.clientRequestToken,
    OnFailure: "ROLLBACK",
  };
}
