import { randomUUID } from "node:crypto";
import { QueryError } from "./query-protocol.js";

/*
 * The stacks the fake CloudFormation holds, and the state machine they move
 * through: CreateStack and DeleteStack as CloudFormation carries them out
 * (a retry with the same client request token is the same request), and
 * the moves a test makes when it plays CloudFormation's part (transition,
 * resourceEvent, addStack). No wire format here: fake-cloudformation.ts
 * decodes the calls and renders the answers.
 */

export interface FakeStack {
  stackId: string;
  name: string;
  status: string;
  reason?: string;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  outputs: Record<string, string>;
  roleArn?: string;
  templateUrl?: string;
  /** The id of its EC2 instance, as DescribeStackResources shows it (a template with no `LoginIp` output). */
  instanceId?: string;
  createToken?: string;
  deleteToken?: string;
  /** Every delete token CloudFormation has accepted for this stack. */
  usedDeleteTokens?: string[];
  events: Array<{
    logicalId: string;
    type: string;
    status: string;
    reason?: string;
    token?: string;
    time: Date;
  }>;
}

/** A CreateStack call, decoded. */
export interface CreateStackRequest {
  readonly name: string;
  readonly token: string | undefined;
  readonly parameters: Record<string, string>;
  readonly tags: Record<string, string>;
  readonly roleArn: string | undefined;
  readonly templateUrl: string | undefined;
}

/** A new stack's id, as CloudFormation makes one: unique even to a stack of a name used before. */
const newStackId = (name: string) =>
  `arn:aws:cloudformation:eu-west-2:111122223333:stack/${name}/${randomUUID()}`;

export class FakeStacks {
  readonly stacks: FakeStack[] = [];

  /** The live stack of this name (not deleted). */
  live(name: string): FakeStack | undefined {
    return this.stacks.find((s) => s.name === name && s.status !== "DELETE_COMPLETE");
  }

  /** Stacks that are not deleted. */
  liveStacks(): FakeStack[] {
    return this.stacks.filter((s) => s.status !== "DELETE_COMPLETE");
  }

  /** The newest stack of this name, deleted or not. */
  newest(name: string): FakeStack | undefined {
    return this.stacks.filter((s) => s.name === name).pop();
  }

  /** Plays CloudFormation: moves a stack to a new status, adding a stack-level event. */
  transition(
    name: string,
    status: string,
    extra: { outputs?: Record<string, string>; reason?: string } = {},
  ): FakeStack {
    const stack = this.newest(name);
    if (stack === undefined) throw new Error(`no stack ${name}`);
    stack.status = status;
    if (extra.outputs) stack.outputs = extra.outputs;
    if (extra.reason) stack.reason = extra.reason;
    const token = status.startsWith("DELETE") ? stack.deleteToken : stack.createToken;
    stack.events.push({
      logicalId: name,
      type: "AWS::CloudFormation::Stack",
      status,
      reason: extra.reason,
      token,
      time: new Date(),
    });
    return stack;
  }

  /** Adds a resource event, as a failing resource would. */
  resourceEvent(
    name: string,
    logicalId: string,
    type: string,
    status: string,
    reason: string,
  ): void {
    this.newest(name)?.events.push({ logicalId, type, status, reason, time: new Date() });
  }

  /**
   * Adds a stack FlightDeck did not create (another tool's, or another
   * deployment's), as if CloudFormation already held it.
   */
  addStack(
    name: string,
    options: { status?: string; tags?: Record<string, string>; roleArn?: string } = {},
  ): FakeStack {
    const stack: FakeStack = {
      stackId: newStackId(name),
      name,
      status: options.status ?? "CREATE_COMPLETE",
      parameters: {},
      tags: options.tags ?? {},
      outputs: {},
      roleArn: options.roleArn,
      events: [],
    };
    this.stacks.push(stack);
    return stack;
  }

  /** The stack a call names, by id (its ARN) or by name (the live one); a ValidationError if none. */
  protected named(nameOrId: string | null): FakeStack {
    const stack = nameOrId?.startsWith("arn:")
      ? this.stacks.find((s) => s.stackId === nameOrId)
      : this.live(nameOrId ?? "");
    if (stack === undefined)
      throw new QueryError("ValidationError", `Stack with id ${nameOrId} does not exist`);
    return stack;
  }

  /** A new stack in CREATE_IN_PROGRESS; a retry with the same token gets the same stack. */
  protected createStack(request: CreateStackRequest): FakeStack {
    const { name, token } = request;
    const existing = this.live(name);
    if (existing !== undefined) {
      if (token !== undefined && existing.createToken === token) return existing;
      throw new QueryError("AlreadyExistsException", `Stack [${name}] already exists`);
    }
    const stack: FakeStack = {
      stackId: newStackId(name),
      name,
      status: "CREATE_IN_PROGRESS",
      parameters: request.parameters,
      tags: request.tags,
      outputs: {},
      roleArn: request.roleArn,
      templateUrl: request.templateUrl,
      createToken: token,
      events: [],
    };
    this.stacks.push(stack);
    this.transition(name, "CREATE_IN_PROGRESS");
    return stack;
  }

  /** Starts deleting a stack, unless it is going or gone, or `token` is of a delete it ran. */
  protected deleteStack(nameOrId: string | null, token: string | undefined): void {
    const stack = this.named(nameOrId);
    // As CloudFormation does: a token it has seen is a retry of that
    // request, which already ran, so nothing new starts (not even for a
    // stack whose delete failed).
    const retried = token !== undefined && stack.usedDeleteTokens?.includes(token) === true;
    if (!retried && stack.status !== "DELETE_COMPLETE" && stack.status !== "DELETE_IN_PROGRESS") {
      stack.deleteToken = token;
      if (token !== undefined) stack.usedDeleteTokens = [...(stack.usedDeleteTokens ?? []), token];
      this.transition(stack.name, "DELETE_IN_PROGRESS");
    }
  }
}
