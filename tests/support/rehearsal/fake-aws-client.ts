import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { controlRequest } from "./control-client.js";
import { REPO_ROOT, SUPPORT_DIR, SYSTEM_PATH } from "./host.js";
import { awsNamespace, createAwsNetwork } from "./network.js";
import type { RehearsalRun } from "./run.js";
import type { StackEvent } from "./fake-aws/stack-resources.js";
import type { Activity } from "./fake-aws/auto-scaling.js";
import type { SecurityGroup } from "./fake-aws/vpc.js";
import type {
  CallRecord,
  FakeAwsConfig,
  FaultKind,
  InstanceFaults,
  Market,
} from "./fake-aws/world.js";

/*
 * The test's side of the fake AWS: starts its process in the run's AWS
 * namespace (fake-aws/main.ts) and talks to it over the control socket.
 */

export interface InstanceReport {
  readonly id: string;
  readonly kind: "master" | "compute";
  readonly ip: string;
  readonly publicIp?: string;
  readonly subnetId: string;
  readonly zone: string;
  readonly securityGroups: readonly string[];
  readonly state: string;
  readonly instanceType: string;
  readonly market: Market;
  /** When EC2 reclaims it, once it has had the notice. */
  readonly interruptionAt?: number;
  readonly tags: Record<string, string>;
  readonly launchedAt: number;
  readonly terminatedAt?: number;
  readonly terminatedBy?: string;
  readonly group?: string;
  readonly faults: InstanceFaults;
  readonly initPid?: number;
  /** Its network namespace's name (under /var/run/netns). */
  readonly netns: string;
  readonly dir: string;
}

export interface StackReport {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly reason?: string;
  readonly events: StackEvent[];
  readonly signals: Array<{ logicalId: string; status: string; uniqueId: string; time: number }>;
  readonly outputs: Record<string, string>;
}

export interface AwsReport {
  readonly instances: InstanceReport[];
  readonly groups: Array<{
    name: string;
    desired: number;
    min: number;
    max: number;
    market: Market;
    instanceTypes: string[];
    subnetIds: string[];
  }>;
  readonly activities: Activity[];
  readonly securityGroups: readonly SecurityGroup[];
  readonly calls: CallRecord[];
  readonly stacks: StackReport[];
  /** The longest the fake's event loop was held up, in ms. */
  readonly loopDelayMaxMs: number;
}

export class FakeAwsProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly socket: string,
  ) {}

  /** Creates the run's AWS namespace and starts the fake in it; resolves once it listens. */
  static async start(
    run: RehearsalRun,
    config: Omit<FakeAwsConfig, "runId" | "runDir">,
  ): Promise<FakeAwsProcess> {
    const { subnets, fileSystems } = config.deployment;
    createAwsNetwork(run.id, {
      subnets: subnets.map((subnet) => subnet.cidr),
      serviceAddresses: fileSystems.flatMap((f) => f.mountTargets.map((t) => t.ip)),
    });
    const configPath = join(run.dir, "fake-aws.json");
    writeFileSync(configPath, JSON.stringify({ ...config, runId: run.id, runDir: run.dir }));
    const child = spawn(
      "nsenter",
      [
        `--net=/var/run/netns/${awsNamespace(run.id)}`,
        process.execPath,
        "--import",
        "tsx",
        join(SUPPORT_DIR, "fake-aws", "main.ts"),
        configPath,
      ],
      {
        cwd: REPO_ROOT,
        stdio: ["pipe", "pipe", "pipe"],
        env: { PATH: SYSTEM_PATH, NODE_OPTIONS: "" },
      },
    );
    run.atCleanUp(() => child.kill("SIGKILL"));
    const fake = new FakeAwsProcess(child, join(run.dir, "aws.sock"));
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the fake AWS did not start: ${output}`)),
        60_000,
      );
      const listen = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("fake-aws: ready")) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on("data", listen);
      child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.once("exit", (code) => reject(new Error(`the fake AWS exited (${code}): ${output}`)));
    });
    child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`      fake-aws: ${chunk}`));
    return fake;
  }

  /** One control request; resolves with its JSON answer. */
  call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return controlRequest(this.socket, method, path, body);
  }

  report(): Promise<AwsReport> {
    return this.call("GET", "/report");
  }

  createStack(
    name: string,
    template: unknown,
    parameters: Record<string, string>,
  ): Promise<{ id: string }> {
    return this.call("POST", "/stacks", { name, template, parameters });
  }

  deleteStack(name: string): Promise<{ status: string }> {
    return this.call("POST", "/stacks/delete", { name });
  }

  createBucket(bucket: string): Promise<void> {
    return this.call("POST", "/buckets", { bucket });
  }

  putObject(bucket: string, key: string, body: string): Promise<void> {
    return this.call("POST", "/objects", { bucket, key, body });
  }

  /** The objects under `prefix`, key to body (as text). */
  async listObjects(bucket: string, prefix: string): Promise<Record<string, string>> {
    const { objects } = await this.call<{ objects: Record<string, string> }>(
      "POST",
      "/objects/list",
      { bucket, prefix },
    );
    return objects;
  }

  /** An object's text, or `undefined` when there is none (what the nodes put, say). */
  async getObject(bucket: string, key: string): Promise<string | undefined> {
    return (await this.listObjects(bucket, key))[key];
  }

  /** Sets the spot market price for every instance type. */
  setSpotPrice(price: number): Promise<void> {
    return this.call("POST", "/spot-price", { price });
  }

  /** Sets the spot market price of one instance type. */
  setSpotPriceOf(type: string, price: number): Promise<void> {
    return this.call("POST", "/spot-prices", { type, price });
  }

  /**
   * Limits a capacity pool (a market, type and zone; each left out matches
   * any) to `limit` live instances, for `minutes` simulated minutes or until
   * cleared. Resolves with when the limit ends (epoch ms), if it does.
   */
  limitCapacity(rule: {
    market?: Market;
    type?: string;
    zone?: string;
    limit?: number;
    minutes?: number;
  }): Promise<{ until?: number }> {
    return this.call("POST", "/capacity", rule);
  }

  /** Lifts every capacity limit. */
  clearCapacityLimits(): Promise<void> {
    return this.call("POST", "/capacity/clear", {});
  }

  /** EC2 reclaims a spot instance after `noticeMinutes` simulated minutes of notice (2 on AWS). */
  reclaim(instanceId: string, noticeMinutes = 2): Promise<void> {
    return this.call("POST", "/reclaim", { instanceId, noticeMinutes });
  }

  /** EC2 recommends rebalancing an instance. */
  recommendRebalance(instanceId: string): Promise<void> {
    return this.call("POST", "/rebalance", { instanceId });
  }

  /** The next instance of `target` kind gets this fault. */
  injectFault(kind: FaultKind, target: "master" | "compute", exit?: number): Promise<void> {
    return this.call("POST", "/faults", { kind, target, exit });
  }

  /** The next `count` launch attempts fail with this AWS error. */
  failLaunches(code: string, message: string, count: number): Promise<void> {
    return this.call("POST", "/launch-errors", { code, message, count });
  }

  /** Stops the fake: it terminates every node first. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  }
}
