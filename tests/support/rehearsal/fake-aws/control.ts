import type { IncomingMessage, ServerResponse } from "node:http";
import type { IntervalHistogram } from "node:perf_hooks";
import { bodyOf, QueryError } from "../../query-protocol.js";
import type { AutoScaling } from "./auto-scaling.js";
import type { CloudFormation } from "./cloudformation.js";
import type { Ec2 } from "./ec2.js";
import type { CapacityRule, FaultKind, World } from "./world.js";

/*
 * The fake's control socket, the test's side of it (fake-aws-client.ts):
 * create and delete stacks, put and list S3 objects, set the spot price
 * (of every type, or of one), limit capacity pools, reclaim a spot instance
 * (with EC2's notice) or recommend rebalancing it, inject faults, and report
 * instances, groups, scaling activities, calls, stacks and how long the
 * fake's event loop was ever held up.
 */

function json(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}

/** A control request's JSON body. */
type Input = Record<string, unknown>;

export class Control {
  constructor(
    private readonly world: World,
    private readonly cloudFormation: CloudFormation,
    private readonly autoScaling: AutoScaling,
    private readonly ec2: Ec2,
    private readonly loopDelay: IntervalHistogram,
  ) {}

  report() {
    const { world, autoScaling, cloudFormation } = this;
    return {
      instances: [...world.instances.values()].map((i) => ({
        id: i.id,
        kind: i.kind,
        ip: i.ip,
        publicIp: i.publicIp,
        subnetId: i.subnetId,
        zone: i.zone,
        securityGroups: i.securityGroups,
        state: i.state,
        instanceType: i.instanceType,
        market: i.market,
        interruptionAt: i.interruptionAt,
        tags: Object.fromEntries(i.tags),
        launchedAt: i.launchedAt,
        terminatedAt: i.terminatedAt,
        terminatedBy: i.terminatedBy,
        group: i.group,
        faults: i.faults,
        initPid: i.state === "terminated" ? undefined : i.node?.initPid(),
        netns: i.netns,
        dir: i.dir,
      })),
      groups: [...autoScaling.groups.values()].map((g) => ({
        name: g.name,
        desired: g.desired,
        min: g.minSize,
        max: g.maxSize,
        market: g.market,
        instanceTypes: g.instanceTypes,
        subnetIds: g.subnetIds,
      })),
      securityGroups: [...world.vpc.groups.values()],
      activities: autoScaling.activities,
      calls: world.calls,
      stacks: cloudFormation.stacks.map((s) => ({
        id: s.id,
        name: s.name,
        status: s.status,
        reason: s.reason,
        events: s.events,
        signals: s.signals,
        outputs: s.outputs,
      })),
      loopDelayMaxMs: this.loopDelay.max / 1e6,
    };
  }

  async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await bodyOf(request);
    const input = (body === "" ? {} : JSON.parse(body)) as Input;
    const route = `${request.method} ${request.url}`;
    try {
      const answer = await this.route(route, input);
      return answer === undefined
        ? json(response, 404, { error: `no route ${route}` })
        : json(response, 200, answer);
    } catch (error) {
      return error instanceof QueryError
        ? json(response, 400, { error: `${error.code}: ${error.message}` })
        : json(response, 500, { error: String(error) });
    }
  }

  /** The control requests by `METHOD /path`, each answered with what the client reads back. */
  private readonly routes = new Map<string, (input: Input) => unknown>([
    ["GET /report", () => this.report()],
    ["POST /stacks", (input) => this.createStack(input)],
    [
      "POST /stacks/delete",
      (input) => ({ status: this.cloudFormation.delete(String(input["name"])).status }),
    ],
    ["POST /buckets", (input) => this.createBucket(input)],
    ["POST /objects", (input) => this.putObject(input)],
    ["POST /objects/list", (input) => this.listObjects(input)],
    ["POST /spot-price", (input) => this.setSpotPrice(input)],
    ["POST /spot-prices", (input) => this.setSpotPriceOf(input)],
    ["POST /capacity", (input) => this.limitCapacity(input)],
    ["POST /capacity/clear", () => this.clearCapacityLimits()],
    ["POST /reclaim", (input) => this.reclaim(input)],
    ["POST /rebalance", (input) => this.recommendRebalance(input)],
    ["POST /faults", (input) => this.injectFault(input)],
    ["POST /launch-errors", (input) => this.failLaunches(input)],
  ]);

  /** The answer to a control request; `undefined` when no route matches. */
  private async route(route: string, input: Input): Promise<unknown> {
    const answer = this.routes.get(route);
    return answer === undefined ? undefined : await answer(input);
  }

  private createStack(input: Input) {
    const stack = this.cloudFormation.create(
      String(input["name"]),
      input["template"] as Record<string, unknown>,
      input["parameters"] as Record<string, string>,
    );
    return { id: stack.id };
  }

  private async createBucket(input: Input) {
    const { world } = this;
    world.objects.set(
      String(input["bucket"]),
      world.objects.get(String(input["bucket"])) ?? new Map(),
    );
    // The bucket's own endpoint name resolves from now on.
    await world.networkChanged();
    return {};
  }

  private putObject(input: Input) {
    this.bucket(input).set(String(input["key"]), Buffer.from(String(input["body"])));
    return {};
  }

  private listObjects(input: Input) {
    const prefix = String(input["prefix"] ?? "");
    const found = [...this.bucket(input).entries()].filter(([key]) => key.startsWith(prefix));
    return {
      objects: Object.fromEntries(found.map(([key, value]) => [key, value.toString("utf8")])),
    };
  }

  /** The spot price of every type. */
  private setSpotPrice(input: Input) {
    this.world.spotPrice = Number(input["price"]);
    return {};
  }

  /** The spot price of one type. */
  private setSpotPriceOf(input: Input) {
    this.world.spotPrices.set(String(input["type"]), Number(input["price"]));
    return {};
  }

  /** Limits a capacity pool (by market, type and zone), for `minutes` or for good. */
  private limitCapacity(input: Input) {
    const { world } = this;
    const minutes = input["minutes"];
    const rule: CapacityRule = {
      ...(input["market"] === undefined
        ? {}
        : { market: input["market"] as CapacityRule["market"] }),
      ...(input["type"] === undefined ? {} : { type: String(input["type"]) }),
      ...(input["zone"] === undefined ? {} : { zone: String(input["zone"]) }),
      limit: Number(input["limit"] ?? 0),
      ...(minutes === undefined ? {} : { until: Date.now() + world.minutes(Number(minutes)) }),
    };
    world.capacityRules.push(rule);
    return { until: rule.until };
  }

  private clearCapacityLimits() {
    this.world.capacityRules = [];
    return {};
  }

  /** Reclaims a spot instance, with EC2's notice `noticeMinutes` ahead (2 unless given). */
  private reclaim(input: Input) {
    this.ec2.reclaim(this.instance(input), this.world.minutes(Number(input["noticeMinutes"] ?? 2)));
    return {};
  }

  private recommendRebalance(input: Input) {
    this.ec2.recommendRebalance(this.instance(input));
    return {};
  }

  private injectFault(input: Input) {
    this.world.pendingFaults.push({
      kind: input["kind"] as FaultKind,
      target: input["target"] as "master" | "compute",
      ...(input["exit"] === undefined ? {} : { exit: Number(input["exit"]) }),
    });
    return {};
  }

  /** Fails the next `count` launches (1 unless given), as AWS would: `code: message`. */
  private failLaunches(input: Input) {
    this.world.launchErrors.push({
      code: String(input["code"]),
      message: String(input["message"]),
      remaining: Number(input["count"] ?? 1),
    });
    return {};
  }

  private instance(input: Input) {
    const instance = this.world.instances.get(String(input["instanceId"]));
    if (instance === undefined)
      throw new QueryError("InvalidInstanceID.NotFound", "no such instance");
    return instance;
  }

  private bucket(input: Input): Map<string, Buffer> {
    const bucket = this.world.objects.get(String(input["bucket"]));
    if (bucket === undefined) throw new QueryError("NoSuchBucket", "no such bucket");
    return bucket;
  }
}
