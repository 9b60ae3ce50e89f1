import {
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type CloudFormationClient,
  type Stack,
  type StackEvent,
} from "@aws-sdk/client-cloudformation";
import { createStackRequest } from "../create-stack-request.js";
import { deleteTokenFor, type DeletePurpose } from "../request-tokens.js";
import { outputValue } from "../stack-facts.js";
import type { CreateStackPlan } from "../template-merge.js";

/** How many pages of stack events to read before giving up on finding a reason. */
const MAX_EVENT_PAGES = 5;

/** The name and message of an SDK error; CloudFormation's codes are names, not classes. */
function errorOf(error: unknown): { readonly name?: string; readonly message?: string } {
  return typeof error === "object" && error !== null ? error : {};
}

/** CloudFormation says a stack does not exist with a ValidationError, not a 404. */
function isMissingStack(error: unknown): boolean {
  const { name, message } = errorOf(error);
  return name === "ValidationError" && /does not exist/.test(message ?? "");
}

/**
 * What `CreateStack` did. `refused` is CloudFormation turning this request
 * down for a reason the user can read; transient faults are thrown instead.
 */
export type CreateStackOutcome =
  | { readonly kind: "started"; readonly stackId: string | undefined }
  | { readonly kind: "exists" }
  | { readonly kind: "refused"; readonly reason: string };

/** The outcome a CreateStack error stands for, or `undefined` for a fault to throw. */
function createOutcomeOfError(error: unknown): CreateStackOutcome | undefined {
  const { name, message } = errorOf(error);
  switch (name) {
    case "AlreadyExistsException":
      return { kind: "exists" };
    case "ValidationError":
    case "InsufficientCapabilitiesException":
      return { kind: "refused", reason: `CloudFormation refused the cluster: ${message}` };
    case "LimitExceededException":
      return {
        kind: "refused",
        reason:
          "The AWS account has reached its CloudFormation stack limit; ask your administrator.",
      };
    default:
      return undefined;
  }
}

/** The IP lookup for templates without a login-IP output. */
export type InstanceIpLookup = (instanceId: string) => Promise<string | undefined>;

/** The CloudFormation calls both handlers make, in the domain's words. */
export class Stacks {
  constructor(
    private readonly cfn: CloudFormationClient,
    private readonly instanceIp?: InstanceIpLookup,
  ) {}

  /**
   * The stack as CloudFormation sees it now, or `undefined` if there is none.
   * By name only a live stack is found; by stack id a deleted one is too.
   */
  async describe(nameOrId: string): Promise<Stack | undefined> {
    try {
      const result = await this.cfn.send(new DescribeStacksCommand({ StackName: nameOrId }));
      return result.Stacks?.[0];
    } catch (error) {
      if (isMissingStack(error)) return undefined;
      throw error;
    }
  }

  /** The stack's events, newest first, up to a few pages. */
  async events(stackId: string): Promise<StackEvent[]> {
    const events: StackEvent[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_EVENT_PAGES; page += 1) {
      const result = await this.cfn.send(
        new DescribeStackEventsCommand({ StackName: stackId, NextToken: token }),
      );
      events.push(...(result.StackEvents ?? []));
      token = result.NextToken;
      if (token === undefined) break;
    }
    return events;
  }

  /**
   * Starts creating a stack; CloudFormation builds it with `roleArn`, never
   * with the caller's powers. A stack of that name already there, and a
   * request CloudFormation refuses, are outcomes; throttling and other
   * faults are thrown, for Lambda to retry.
   */
  async create(
    plan: CreateStackPlan,
    templateUrl: string,
    roleArn: string,
  ): Promise<CreateStackOutcome> {
    try {
      const result = await this.cfn.send(
        new CreateStackCommand(createStackRequest(plan, templateUrl, roleArn)),
      );
      return { kind: "started", stackId: result.StackId };
    } catch (error) {
      const outcome = createOutcomeOfError(error);
      if (outcome === undefined) throw error;
      return outcome;
    }
  }

  /**
   * Starts deleting a stack, with a token that records why and is the same
   * on every retry of one request (see {@link deleteTokenFor}).
   */
  async delete(stackId: string, purpose: DeletePurpose, requestId?: string): Promise<void> {
    await this.cfn.send(
      new DeleteStackCommand({
        StackName: stackId,
        ClientRequestToken: deleteTokenFor(stackId, purpose, requestId),
      }),
    );
  }

  /**
   * The login IP of a complete stack: the `outputKey` output, else the
   * public IP of the stack's first EC2 instance, as older templates need.
   */
  async loginIp(stack: Stack, outputKey: string): Promise<string | undefined> {
    const fromOutput = outputValue(stack, outputKey);
    if (fromOutput !== undefined || this.instanceIp === undefined || stack.StackId === undefined)
      return fromOutput;
    const resources = await this.cfn.send(
      new DescribeStackResourcesCommand({ StackName: stack.StackId }),
    );
    const instance = resources.StackResources?.find(
      (r) => r.ResourceType === "AWS::EC2::Instance" && r.PhysicalResourceId,
    );
    return instance?.PhysicalResourceId === undefined
      ? undefined
      : this.instanceIp(instance.PhysicalResourceId);
  }
}
