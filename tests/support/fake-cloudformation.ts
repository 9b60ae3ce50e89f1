import { answerQuery, serveOnLoopback, type LoopbackServer } from "./fake-service-server.js";
import {
  callerIdentityResult,
  sendEmailResult,
  sentEmailOf,
  type SentEmail,
} from "./fake-ses-sts.js";
import { FakeStacks, type CreateStackRequest, type FakeStack } from "./fake-stacks.js";
import { listParameter, memberMap, members, parseForm, QueryError, tag } from "./query-protocol.js";

/*
 * A CloudFormation (and SES and STS) stand-in that speaks the real AWS Query
 * protocol over loopback, so the built Lambda bundles run unchanged against
 * it through AWS_ENDPOINT_URL_CLOUDFORMATION / AWS_ENDPOINT_URL_SES (and the
 * CLI through AWS_ENDPOINT_URL_STS). This is its server: every call kept,
 * answered after a chosen latency or refused with an injected fault, each
 * action decoded for the stacks (fake-stacks.ts) and their state rendered
 * as CloudFormation's XML. Stacks change state only when a test says so:
 * the test plays CloudFormation's part.
 */

/** The namespace of CloudFormation's answers (SES's and STS's are served in it too). */
const CLOUDFORMATION = { namespace: "http://cloudformation.amazonaws.com/doc/2010-05-15/" };

/** ListStacks returns at most this many summaries a call, as CloudFormation does. */
const LIST_STACKS_PAGE = 100;

export class FakeCloudFormation extends FakeStacks {
  readonly calls: Array<{ action: string; params: URLSearchParams }> = [];
  readonly emails: SentEmail[] = [];
  /** Actions to fail, and how: action → `{ code, status, times }` (see {@link fail}). */
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
  private server: LoopbackServer | undefined;
  url = "";

  async start(): Promise<string> {
    this.server = await serveOnLoopback((body) => this.handle(parseForm(body)));
    this.url = this.server.url;
    return this.url;
  }

  async stop(): Promise<void> {
    await this.server?.close();
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

  /** CloudFormation calls made so far (SES's SendEmail is not one). */
  cloudFormationCalls(): number {
    return this.calls.filter((c) => c.action !== "SendEmail").length;
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

  /** One call: kept, answered after its latency, unless throttled or an injected fault refuses it. */
  private async handle(params: URLSearchParams) {
    const action = params.get("Action") ?? "";
    this.calls.push({ action, params });
    const ms = this.answerDelayMs(action);
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    return answerQuery(
      action,
      () => {
        if (this.throttles(action)) throw new QueryError("Throttling", "Rate exceeded");
        const fault = this.faults.get(action);
        if (fault !== undefined && fault.times > 0) {
          fault.times -= 1;
          throw new QueryError(fault.code, `Injected ${fault.code}`, fault.status);
        }
        return this.act(action, params);
      },
      CLOUDFORMATION,
    );
  }

  private act(action: string, params: URLSearchParams): string {
    switch (action) {
      case "CreateStack":
        return tag("StackId", this.createStack(createStackRequest(params)).stackId);
      case "DescribeStacks":
        return `<Stacks>${members([stackXml(this.named(params.get("StackName")))])}</Stacks>`;
      case "DeleteStack":
        this.deleteStack(params.get("StackName"), params.get("ClientRequestToken") ?? undefined);
        return "";
      case "DescribeStackEvents":
        return stackEventsXml(this.named(params.get("StackName")));
      case "DescribeStackResources":
        return stackResourcesXml(this.named(params.get("StackName")));
      case "ListStacks":
        return stackSummariesXml(this.stacks, params);
      case "SendEmail":
        if (this.sesDown) throw new QueryError("ServiceUnavailable", "SES is down", 503);
        this.emails.push(sentEmailOf(params));
        return sendEmailResult();
      case "GetCallerIdentity":
        return callerIdentityResult(this.callerArn);
      default:
        throw new QueryError("InvalidAction", `The fake does not implement ${action}`);
    }
  }
}

/** A CreateStack call's parameters, decoded. */
const createStackRequest = (params: URLSearchParams): CreateStackRequest => ({
  name: params.get("StackName") ?? "",
  token: params.get("ClientRequestToken") ?? undefined,
  parameters: memberMap(params, "Parameters", ["ParameterKey", "ParameterValue"]),
  tags: memberMap(params, "Tags", ["Key", "Value"]),
  roleArn: params.get("RoleARN") ?? undefined,
  templateUrl: params.get("TemplateURL") ?? undefined,
});

/** A record as a list of `<member>` pairs, each entry's key and value in the elements named. */
const pairs = (record: Record<string, string>, key: string, value: string) =>
  members(Object.entries(record).map(([k, v]) => tag(key, k) + tag(value, v)));

/** A stack as DescribeStacks shows it. */
const stackXml = (s: FakeStack) =>
  [
    tag("StackId", s.stackId),
    tag("StackName", s.name),
    tag("CreationTime", new Date().toISOString()),
    tag("StackStatus", s.status),
    tag("StackStatusReason", s.reason),
    tag("RoleARN", s.roleArn),
    `<Parameters>${pairs(s.parameters, "ParameterKey", "ParameterValue")}</Parameters>`,
    `<Tags>${pairs(s.tags, "Key", "Value")}</Tags>`,
    `<Outputs>${pairs(s.outputs, "OutputKey", "OutputValue")}</Outputs>`,
  ].join("");

/** A stack's EC2 instance, if it has one, as DescribeStackResources shows it. */
function stackResourcesXml(stack: FakeStack): string {
  const instance =
    stack.instanceId === undefined
      ? []
      : [
          tag("StackId", stack.stackId) +
            tag("StackName", stack.name) +
            tag("LogicalResourceId", "Master") +
            tag("PhysicalResourceId", stack.instanceId) +
            tag("ResourceType", "AWS::EC2::Instance") +
            tag("Timestamp", new Date().toISOString()) +
            tag("ResourceStatus", "CREATE_COMPLETE"),
        ];
  return `<StackResources>${members(instance)}</StackResources>`;
}

/** A stack's events, newest first, as DescribeStackEvents shows them. */
function stackEventsXml(stack: FakeStack): string {
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

/** As the real ListStacks: at most {@link LIST_STACKS_PAGE} summaries a page, then a NextToken for the rest. */
function stackSummariesXml(stacks: readonly FakeStack[], params: URLSearchParams): string {
  const wanted = listParameter(params, "StackStatusFilter");
  const matching = stacks.filter((s) => wanted.length === 0 || wanted.includes(s.status));
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
