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
    const input = (body === "" ? {} : JSON.parse(body)) as Record<string, unknown>;
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

  private async route(route: string, input: Record<string, unknown>): Promise<unknown> {
    const { world, cloudFormation } = this;
    switch (route) {
      case "GET /report":
        return this.report();
      case "POST /stacks":
        return {
          id: cloudFormation.create(
            String(input["name"]),
            input["template"] as Record<string, unknown>,
            input["parameters"] as Record<string, string>,
          ).id,
        };
      case "POST /stacks/delete":
        return { status: cloudFormation.delete(String(input["name"])).status };
      case "POST /buckets":
        world.objects.set(
          String(input["bucket"]),
          world.objects.get(String(input["bucket"])) ?? new Map(),
        );
        // The bucket's own endpoint name resolves from now on.
        await world.networkChanged();
        return {};
      case "POST /objects":
        this.bucket(input).set(String(input["key"]), Buffer.from(String(input["body"])));
        return {};
      case "POST /objects/list": {
        const prefix = String(input["prefix"] ?? "");
        const found = [...this.bucket(input).entries()].filter(([key]) => key.startsWith(prefix));
        return {
          objects: Object.fromEntries(found.map(([key, value]) => [key, value.toString("utf8")])),
        };
      }
      case "POST /spot-price":
        world.spotPrice = Number(input["price"]);
        return {};
      case "POST /spot-prices":
        world.spotPrices.set(String(input["type"]), Number(input["price"]));
        return {};
      case "POST /capacity": {
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
      case "POST /capacity/clear":
        world.capacityRules = [];
        return {};
      case "POST /reclaim":
        this.ec2.reclaim(this.instance(input), world.minutes(Number(input["noticeMinutes"] ?? 2)));
        return {};
      case "POST /rebalance":
        this.ec2.recommendRebalance(this.instance(input));
        return {};
      case "POST /faults":
        world.pendingFaults.push({
          kind: input["kind"] as FaultKind,
          target: input["target"] as "master" | "compute",
          ...(input["exit"] === undefined ? {} : { exit: Number(input["exit"]) }),
        });
        return {};
      case "POST /launch-errors":
        world.launchErrors.push({
          code: String(input["code"]),
          message: String(input["message"]),
          remaining: Number(input["count"] ?? 1),
        });
        return {};
      default:
        return undefined;
    }
  }

  private instance(input: Record<string, unknown>) {
    const instance = this.world.instances.get(String(input["instanceId"]));
    if (instance === undefined)
      throw new QueryError("InvalidInstanceID.NotFound", "no such instance");
    return instance;
  }

  private bucket(input: Record<string, unknown>): Map<string, Buffer> {
    const bucket = this.world.objects.get(String(input["bucket"]));
    if (bucket === undefined) throw new QueryError("NoSuchBucket", "no such bucket");
    return bucket;
  }
}
