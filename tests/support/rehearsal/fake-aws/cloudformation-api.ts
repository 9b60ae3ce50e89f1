import { QueryError, tag } from "../../query-protocol.js";
import { NO_VALUE, resolveValue } from "../template-resolver.js";
import type { CloudFormation } from "./cloudformation.js";
import { isoTime } from "./protocol.js";
import type { Stack } from "./stack-resources.js";

/*
 * CloudFormation's Query API, the calls the master's boot makes on its own
 * stack (template/boot/): DescribeStackResource for a resource's metadata,
 * resolved as the stack stands, and SignalResource for its CreationPolicy,
 * on the stacks cloudformation.ts keeps.
 */

type Json = Record<string, unknown>;

export class CloudFormationApi {
  constructor(private readonly cloudFormation: CloudFormation) {}

  /** The ARN IAM authorizes a call against: its stack's. */
  resourceOf(params: URLSearchParams): string {
    return this.cloudFormation.find(params.get("StackName")).id;
  }

  handle(action: string, params: URLSearchParams): string {
    const stack = this.cloudFormation.find(params.get("StackName"));
    const logicalId = params.get("LogicalResourceId") ?? "";
    switch (action) {
      case "DescribeStackResource":
        return this.describeResource(stack, logicalId);
      case "SignalResource":
        return this.signal(stack, logicalId, params);
      default:
        throw new QueryError(
          "InvalidAction",
          `The action ${action} is not valid for this web service.`,
        );
    }
  }

  private describeResource(stack: Stack, logicalId: string): string {
    const resource = ((stack.template["Resources"] ?? {}) as Record<string, Json>)[logicalId];
    const created = stack.created.get(logicalId);
    if (resource === undefined) {
      throw new QueryError(
        "ValidationError",
        `Resource ${logicalId} does not exist for stack ${stack.name}`,
      );
    }
    const metadata =
      resource["Metadata"] === undefined
        ? undefined
        : resolveValue(resource["Metadata"], this.cloudFormation.scopeOf(stack));
    return (
      "<StackResourceDetail>" +
      tag("StackName", stack.name) +
      tag("StackId", stack.id) +
      tag("LogicalResourceId", logicalId) +
      tag("PhysicalResourceId", created?.ref) +
      tag("ResourceType", String(resource["Type"])) +
      tag("LastUpdatedTimestamp", isoTime(Date.now())) +
      tag("ResourceStatus", created === undefined ? "CREATE_IN_PROGRESS" : "CREATE_COMPLETE") +
      tag(
        "Metadata",
        metadata === undefined || metadata === NO_VALUE ? undefined : JSON.stringify(metadata),
      ) +
      "</StackResourceDetail>"
    );
  }

  private signal(stack: Stack, logicalId: string, params: URLSearchParams): string {
    const uniqueId = params.get("UniqueId") ?? "";
    if (uniqueId.length > 64)
      throw new QueryError(
        "ValidationError",
        "1 validation error detected: Value at 'uniqueId' failed to satisfy constraint: Member must have length less than or equal to 64",
      );
    this.cloudFormation.signal(stack, logicalId, params.get("Status") ?? "", uniqueId);
    return "";
  }
}
