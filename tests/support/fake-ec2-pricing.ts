import {
  answerQuery,
  serveOnLoopback,
  type Answer,
  type LoopbackServer,
} from "./fake-service-server.js";
import { listParameter, members, parseForm, QueryError, tag } from "./query-protocol.js";

/*
 * EC2 and the Price List API on loopback, on their real wire protocols:
 * EC2's Query API answering XML (DescribeInstances, DescribeVolumes,
 * DescribeSpotPriceHistory, paged by NextToken) and the Price List's JSON
 * 1.1 (`X-Amz-Target: AWSPriceListService.GetProducts`, paged by
 * NextToken), so money's signed calls (functions/shared/runtime/
 * signed-call.ts) run unchanged against them through AWS_ENDPOINT_URL_EC2 /
 * AWS_ENDPOINT_URL_PRICING. Every request is kept, with its SigV4
 * Authorization header, for the tests to read. EC2's wire format is
 * query-protocol.ts's, and the server fake-service-server.ts's.
 */

/** An instance as this fake's DescribeInstances shows it. */
export interface FakeInstance {
  readonly id: string;
  readonly type: string;
  readonly zone: string;
  readonly launchTime: string;
  readonly state: string;
  readonly spot?: boolean;
  readonly reason?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly volumes: readonly string[];
  /** Its public IPv4 address, if it has one. */
  readonly publicIp?: string;
}

/** A request as the fake received it. */
export interface SeenRequest {
  readonly service: "ec2" | "pricing";
  readonly action: string;
  readonly params: URLSearchParams | undefined;
  readonly json: Record<string, unknown> | undefined;
  readonly authorization: string;
}

/** EC2's answers: its namespace, and its own dialect of the Query protocol. */
const EC2 = { namespace: "http://ec2.amazonaws.com/doc/2016-11-15/", dialect: "ec2" } as const;

/** EC2 lists its items as `<item>` elements. */
const items = (list: readonly string[]) => members(list, "item");

/** The values of EC2's filter `name` (`Filter.N.Name`, `Filter.N.Value.M`), if the request has it. */
function filterValues(params: URLSearchParams, name: string): string[] | undefined {
  for (let n = 1; params.has(`Filter.${n}.Name`); n += 1) {
    if (params.get(`Filter.${n}.Name`) === name) return listParameter(params, `Filter.${n}.Value`);
  }
  return undefined;
}

/** Pages a list as EC2 and the Price List do: `size` a page, the token is the next index. */
function page<T>(list: readonly T[], token: string | null | undefined, size: number) {
  const start = Number(token ?? 0) || 0;
  const next = start + size < list.length ? String(start + size) : undefined;
  return { items: list.slice(start, start + size), next };
}

export class FakeEc2Pricing {
  readonly instances: FakeInstance[] = [];
  readonly volumes = new Map<string, number>();
  readonly spot: Array<{ type: string; zone: string; price: string; time: string }> = [];
  /** GetProducts pages per ServiceCode+filter key: the test decides what answers. */
  productPages: (json: Record<string, unknown>) => Array<{ PriceList: string[] }> = () => [];
  /** EC2's page size for this fake (small, so tests page). */
  pageSize = 2;
  readonly seen: SeenRequest[] = [];
  /** Answer the next `n` requests with this throttling error. */
  throttleNext = 0;
  private server: LoopbackServer | undefined;

  async start(): Promise<string> {
    this.server = await serveOnLoopback((body, headers) => {
      const authorization = String(headers["authorization"] ?? "");
      const target = headers["x-amz-target"];
      return typeof target === "string"
        ? this.servePricing(target, body, authorization)
        : this.serveEc2(body, authorization);
    });
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  /** The Price List's JSON 1.1: GetProducts, one of {@link productPages} a call. */
  private servePricing(target: string, body: string, authorization: string): Answer {
    const json = JSON.parse(body) as Record<string, unknown>;
    this.seen.push({ service: "pricing", action: target, params: undefined, json, authorization });
    if (this.throttleNext > 0) {
      this.throttleNext -= 1;
      return {
        status: 400,
        type: "application/x-amz-json-1.1",
        text: JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }),
      };
    }
    const pages = this.productPages(json);
    const index = Number(json["NextToken"] ?? 0) || 0;
    const answer = {
      FormatVersion: "aws_v1",
      PriceList: pages[index]?.PriceList ?? [],
      ...(index + 1 < pages.length ? { NextToken: String(index + 1) } : {}),
    };
    return { status: 200, type: "application/x-amz-json-1.1", text: JSON.stringify(answer) };
  }

  /** EC2's Query protocol, answered in EC2's dialect. */
  private serveEc2(body: string, authorization: string): Answer {
    const params = parseForm(body);
    const action = params.get("Action") ?? "";
    this.seen.push({ service: "ec2", action, params, json: undefined, authorization });
    return answerQuery(action, () => this.ec2Answer(action, params), EC2);
  }

  /** EC2's answer to one call: its result, or a throw of the error it is refused with. */
  private ec2Answer(action: string, params: URLSearchParams): string {
    if (this.throttleNext > 0) {
      this.throttleNext -= 1;
      throw new QueryError("RequestLimitExceeded", "Request limit exceeded.", 503);
    }
    const answer = this.answer(action, params);
    if (answer === undefined)
      throw new QueryError("InvalidAction", `The fake does not implement ${action}`);
    return answer;
  }

  private answer(action: string, params: URLSearchParams): string | undefined {
    const token = params.get("NextToken");
    switch (action) {
      case "DescribeInstances": {
        // By id (`InstanceId.N`), or by the stack-id tag filter.
        const ids = listParameter(params, "InstanceId");
        const stacks = filterValues(params, "tag:aws:cloudformation:stack-id") ?? [];
        const found = this.instances.filter((i) =>
          ids.length > 0
            ? ids.includes(i.id)
            : stacks.includes(i.tags["aws:cloudformation:stack-id"] ?? ""),
        );
        const { items: shown, next } = page(found, token, this.pageSize);
        const reservations = shown.map(
          (i) =>
            `<reservationId>r-${i.id}</reservationId><instancesSet>${items([
              tag("instanceId", i.id) +
                tag("instanceType", i.type) +
                tag("launchTime", i.launchTime) +
                `<placement>${tag("availabilityZone", i.zone)}</placement>` +
                `<instanceState>${tag("code", "16")}${tag("name", i.state)}</instanceState>` +
                tag("reason", i.reason ?? "") +
                tag("ipAddress", i.publicIp) +
                (i.spot === true ? tag("instanceLifecycle", "spot") : "") +
                `<blockDeviceMapping>${items(i.volumes.map((v) => tag("deviceName", "/dev/sda1") + `<ebs>${tag("volumeId", v)}</ebs>`))}</blockDeviceMapping>` +
                `<tagSet>${items(Object.entries(i.tags).map(([k, v]) => tag("key", k) + tag("value", v)))}</tagSet>`,
            ])}</instancesSet>`,
        );
        return `<reservationSet>${items(reservations)}</reservationSet>${tag("nextToken", next)}`;
      }
      case "DescribeVolumes": {
        const wanted = filterValues(params, "volume-id") ?? [];
        const found = wanted.filter((id) => this.volumes.has(id));
        return `<volumeSet>${items(found.map((id) => tag("volumeId", id) + tag("size", String(this.volumes.get(id)))))}</volumeSet>`;
      }
      case "DescribeSpotPriceHistory": {
        const types = listParameter(params, "InstanceType");
        const zones = filterValues(params, "availability-zone");
        const found = this.spot.filter(
          (s) =>
            (types.length === 0 || types.includes(s.type)) &&
            (zones === undefined || zones.includes(s.zone)),
        );
        const { items: shown, next } = page(found, token, this.pageSize);
        return `<spotPriceHistorySet>${items(
          shown.map(
            (s) =>
              tag("instanceType", s.type) +
              tag("productDescription", "Linux/UNIX") +
              tag("spotPrice", s.price) +
              tag("timestamp", s.time) +
              tag("availabilityZone", s.zone),
          ),
        )}</spotPriceHistorySet>${tag("nextToken", next)}`;
      }
      default:
        return undefined;
    }
  }
}
