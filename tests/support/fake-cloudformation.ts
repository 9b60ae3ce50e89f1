import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  bodyOf,
  listParameter,
  memberMap,
  members,
  parseForm,
  QueryError,
  queryErrorResponse,
  queryResponse,
  tag,
} from "./query-protocol.js";

/*
 * A CloudFormation (and SES) stand-in that speaks the real AWS Query protocol
 * over loopback, so the built Lambda bundles run unchanged against it through
 * AWS_ENDPOINT_URL_CLOUDFORMATION / AWS_ENDPOINT_URL_SES. Stacks change state
 * only when a test says so: the test plays CloudFormation's part. The wire
 * format is query-protocol.ts's.
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

export interface SentEmail {
  source: string;
  to: string[];
  subject: string;
  text: string;
}

/** The namespace of CloudFormation's answers (SES's and STS's are served in it too). */
const NAMESPACE = "http://cloudformation.amazonaws.com/doc/2010-05-15/";

/**
 * The EventBridge "CloudFormation Stack Status Change" event CloudFormation
 * sends when `stack` reaches `status`, with the token of the request behind it.
 */
export function stackStatusEventOf(stack: FakeStack, status = stack.status): unknown {
  const token = status.startsWith("DELETE") ? stack.deleteToken : stack.createToken;
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "CloudFormation Stack Status Change",
    source: "aws.cloudformation",
    account: "111122223333",
    time: new Date().toISOString(),
    region: "eu-west-2",
    resources: [stack.stackId],
    detail: {
      "stack-id": stack.stackId,
      "status-details": { status, "status-reason": stack.reason ?? "" },
      "client-request-token": token ?? "",
    },
  };
}

/** ListStacks returns at most this many summaries a call, as CloudFormation does. */
const LIST_STACKS_PAGE = 100;

export class FakeCloudFormation {
  readonly stacks: FakeStack[] = [];
  readonly calls: Array<{ action: string; params: URLSearchParams }> = [];
  readonly emails: SentEmail[] = [];
  /** Actions to fail, and how: e.g. `{ CreateStack: [{ code: "Throttling", times: 2 }] }`. */
  readonly faults = new Map<string, { code: string; status: number; times: number }>();
  sesDown = false;
  /** Who STS GetCallerIdentity says the caller is (the fake serves STS too, for the CLI). */
  callerArn = "arn:aws:iam::111122223333:user/alice";
  /**
   * How long each answer takes, in ms: a fixed figure or a [min, max] range
   * drawn per call. Real CloudFormation calls take 50–150 ms; races between
   * concurrent invocations only show with a realistic delay.
   */
  latencyMs: number | readonly [number, number] = 0;
  private server: Server | undefined;
  url = "";

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body }) => {
        res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": randomUUID() });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Forgets every stack, call, email and fault, keeping the server: for a property test's next run. */
  reset(): void {
    this.stacks.length = 0;
    this.calls.length = 0;
    this.emails.length = 0;
    this.faults.clear();
    this.sesDown = false;
  }

  /** Makes the next `times` calls of `action` fail with `code`. */
  fail(action: string, code: string, times: number, status = 400): void {
    this.faults.set(action, { code, status, times });
  }

  callsOf(action: string): URLSearchParams[] {
    return this.calls.filter((c) => c.action === action).map((c) => c.params);
  }

  /** The live stack of this name (not deleted). */
  live(name: string): FakeStack | undefined {
    return this.stacks.find((s) => s.name === name && s.status !== "DELETE_COMPLETE");
  }

  /** Plays CloudFormation: moves a stack to a new status, adding a stack-level event. */
  transition(
    name: string,
    status: string,
    extra: { outputs?: Record<string, string>; reason?: string } = {},
  ): FakeStack {
    const stack = this.stacks.filter((s) => s.name === name).pop();
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
    const stack = this.stacks.filter((s) => s.name === name).pop();
    stack?.events.push({ logicalId, type, status, reason, time: new Date() });
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: string }> {
    const params = parseForm(await bodyOf(req));
    const action = params.get("Action") ?? "";
    this.calls.push({ action, params });
    await this.delay(action);
    try {
      if (this.throttles(action)) throw new QueryError("Throttling", "Rate exceeded");
      const fault = this.faults.get(action);
      if (fault !== undefined && fault.times > 0) {
        fault.times -= 1;
        throw new QueryError(fault.code, `Injected ${fault.code}`, fault.status);
      }
      const result = this.act(action, params);
      return { status: 200, body: queryResponse(action, result, { namespace: NAMESPACE }) };
    } catch (error) {
      const e =
        error instanceof QueryError ? error : new QueryError("InternalFailure", String(error), 500);
      return { status: e.status, body: queryErrorResponse(e) };
    }
  }

  private async delay(action: string): Promise<void> {
    const ms = this.answerDelayMs(action);
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** How long the answer to one call of `action` takes: {@link latencyMs}, unless a subclass knows better. */
  protected answerDelayMs(_action: string): number {
    const [min, max] =
      typeof this.latencyMs === "number" ? [this.latencyMs, this.latencyMs] : this.latencyMs;
    return min + Math.random() * (max - min);
  }

  /** Whether this call of `action` is refused as CloudFormation's throttling would ("Rate exceeded"); never, here. */
  protected throttles(_action: string): boolean {
    return false;
  }

  /** CloudFormation calls made so far (SES's SendEmail is not one). */
  cloudFormationCalls(): number {
    return this.calls.filter((c) => c.action !== "SendEmail").length;
  }

  /** Stacks that are not deleted. */
  liveStacks(): FakeStack[] {
    return this.stacks.filter((s) => s.status !== "DELETE_COMPLETE");
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
      stackId: `arn:aws:cloudformation:eu-west-2:111122223333:stack/${name}/${randomUUID()}`,
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

  private find(nameOrId: string | null): FakeStack {
    const stack = nameOrId?.startsWith("arn:")
      ? this.stacks.find((s) => s.stackId === nameOrId)
      : this.live(nameOrId ?? "");
    if (stack === undefined)
      throw new QueryError("ValidationError", `Stack with id ${nameOrId} does not exist`);
    return stack;
  }

  private act(action: string, params: URLSearchParams): string {
    switch (action) {
      case "CreateStack":
        return this.createStack(params);
      case "DescribeStacks":
        return `<Stacks>${members([this.stackXml(this.find(params.get("StackName")))])}</Stacks>`;
      case "DeleteStack":
        return this.deleteStack(params);
      case "DescribeStackEvents":
        return this.describeStackEvents(params);
      case "ListStacks":
        return this.listStacks(params);
      case "SendEmail":
        return this.sendEmail(params);
      case "GetCallerIdentity":
        return (
          tag("Arn", this.callerArn) +
          tag("UserId", "AIDAEXAMPLEFAKEUSER") +
          tag("Account", "111122223333")
        );
      default:
        throw new QueryError("InvalidAction", `The fake does not implement ${action}`);
    }
  }

  /** A new stack in CREATE_IN_PROGRESS; a retry with the same token gets the same stack. */
  private createStack(params: URLSearchParams): string {
    const name = params.get("StackName") ?? "";
    const token = params.get("ClientRequestToken") ?? undefined;
    const existing = this.live(name);
    if (existing !== undefined) {
      if (token !== undefined && existing.createToken === token)
        return tag("StackId", existing.stackId);
      throw new QueryError("AlreadyExistsException", `Stack [${name}] already exists`);
    }
    const stack: FakeStack = {
      stackId: `arn:aws:cloudformation:eu-west-2:111122223333:stack/${name}/${randomUUID()}`,
      name,
      status: "CREATE_IN_PROGRESS",
      parameters: memberMap(params, "Parameters", ["ParameterKey", "ParameterValue"]),
      tags: memberMap(params, "Tags", ["Key", "Value"]),
      outputs: {},
      roleArn: params.get("RoleARN") ?? undefined,
      templateUrl: params.get("TemplateURL") ?? undefined,
      createToken: token,
      events: [],
    };
    this.stacks.push(stack);
    this.transition(name, "CREATE_IN_PROGRESS");
    return tag("StackId", stack.stackId);
  }

  private deleteStack(params: URLSearchParams): string {
    const stack = this.find(params.get("StackName"));
    const token = params.get("ClientRequestToken") ?? undefined;
    // As CloudFormation does: a token it has seen is a retry of that
    // request, which already ran, so nothing new starts (not even for a
    // stack whose delete failed).
    const retried = token !== undefined && stack.usedDeleteTokens?.includes(token) === true;
    if (!retried && stack.status !== "DELETE_COMPLETE" && stack.status !== "DELETE_IN_PROGRESS") {
      stack.deleteToken = token;
      if (token !== undefined) stack.usedDeleteTokens = [...(stack.usedDeleteTokens ?? []), token];
      this.transition(stack.name, "DELETE_IN_PROGRESS");
    }
    return "";
  }

  /** A stack's events, newest first. */
  private describeStackEvents(params: URLSearchParams): string {
    const stack = this.find(params.get("StackName"));
    const items = [...stack.events]
      .reverse()
      .map((e, i) =>
        [
          tag("StackId", stack.stackId),
          tag("EventId", `${stack.name}-${i}`),
          tag("StackName", stack.name),
          tag("LogicalResourceId", e.logicalId),
          tag("ResourceType", e.type),
          tag("Timestamp", e.time.toISOString()),
          tag("ResourceStatus", e.status),
          tag("ResourceStatusReason", e.reason),
          tag("ClientRequestToken", e.token),
        ].join(""),
      );
    return `<StackEvents>${members(items)}</StackEvents>`;
  }

  /** As the real one: at most {@link LIST_STACKS_PAGE} summaries a page, then a NextToken for the rest. */
  private listStacks(params: URLSearchParams): string {
    const wanted = listParameter(params, "StackStatusFilter");
    const matching = this.stacks.filter((s) => wanted.length === 0 || wanted.includes(s.status));
    const from = Number(params.get("NextToken") ?? 0);
    const items = matching
      .slice(from, from + LIST_STACKS_PAGE)
      .map(
        (s) =>
          tag("StackId", s.stackId) +
          tag("StackName", s.name) +
          tag("CreationTime", new Date().toISOString()) +
          tag("StackStatus", s.status),
      );
    const next = from + LIST_STACKS_PAGE < matching.length ? from + LIST_STACKS_PAGE : undefined;
    return `<StackSummaries>${members(items)}</StackSummaries>${tag("NextToken", next?.toString())}`;
  }

  /** SES's SendEmail: keeps the message for the test to read. */
  private sendEmail(params: URLSearchParams): string {
    if (this.sesDown) throw new QueryError("ServiceUnavailable", "SES is down", 503);
    this.emails.push({
      source: params.get("Source") ?? "",
      to: listParameter(params, "Destination.ToAddresses"),
      subject: params.get("Message.Subject.Data") ?? "",
      text: params.get("Message.Body.Text.Data") ?? "",
    });
    return tag("MessageId", randomUUID());
  }

  private stackXml(s: FakeStack): string {
    return [
      tag("StackId", s.stackId),
      tag("StackName", s.name),
      tag("CreationTime", new Date().toISOString()),
      tag("StackStatus", s.status),
      tag("StackStatusReason", s.reason),
      tag("RoleARN", s.roleArn),
      `<Parameters>${members(Object.entries(s.parameters).map(([k, v]) => tag("ParameterKey", k) + tag("ParameterValue", v)))}</Parameters>`,
      `<Tags>${members(Object.entries(s.tags).map(([k, v]) => tag("Key", k) + tag("Value", v)))}</Tags>`,
      `<Outputs>${members(Object.entries(s.outputs).map(([k, v]) => tag("OutputKey", k) + tag("OutputValue", v)))}</Outputs>`,
    ].join("");
  }
}
