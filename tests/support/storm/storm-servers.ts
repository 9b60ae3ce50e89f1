import { fork, type ChildProcess } from "node:child_process";
import { ListObjectsCommand } from "@aws-sdk/client-s3";
import { fileURLToPath } from "node:url";
import type { S3EventRecord } from "../../../functions/shared/s3-event.js";
import type { FakeStack } from "../fake-stacks.js";
import { LocalAws, USER_BUCKET } from "../local-aws.js";
import { drawMs, seededRandom, type MsRange } from "./seeded-random.js";
import { StormCloudFormation, type CloudBehaviour } from "./storm-cloudformation.js";

/*
 * The storm's AWS: s3rver behind the S3 latency proxy, dynalite, and the
 * storm's CloudFormation/SES. Either in the handlers' own process (what
 * `npm test` does: {@link LocalStormServers}), or in a child process of its
 * own ({@link RemoteStormServers}, what `npm run bench:storm` does), so that
 * the servers' work is not counted in the handlers' durations and the
 * handlers' process CPU time is theirs alone.
 */

export interface StormServerOptions {
  readonly policy: unknown;
  readonly template: unknown;
  readonly users: readonly string[];
  readonly cloud: CloudBehaviour;
  readonly s3LatencyMs: MsRange;
}

/** What CloudFormation saw, for the figures: every call's action, and the throttled ones. */
export interface CloudStats {
  readonly calls: readonly string[];
  readonly throttledAtRandom: number;
  readonly throttledByBudget: number;
}

/** The servers, as the storm world uses them; every method is asynchronous, wherever they run. */
export interface StormServers {
  /** Starts them; returns the environment the handlers run with. */
  start(): Promise<Record<string, string>>;
  stop(): Promise<void>;
  /** Each S3 notification of the users' bucket. */
  onS3Notification: (record: S3EventRecord) => void;
  /** Each stack-status event CloudFormation sends to EventBridge. */
  onStatusEvent: (event: unknown) => void;
  /** Uploads into the users' bucket; its notification is delivered before this resolves. */
  put(key: string, body: string): Promise<void>;
  /** Every key under `home/` in the users' bucket (one listing, not a read of every file). */
  homeKeys(): Promise<string[]>;
  cloudStats(): Promise<CloudStats>;
  /** Whether stacks are still to settle or events still to be delivered. */
  busy(): Promise<boolean>;
  stacks(): Promise<Array<{ name: string; status: string }>>;
  /** Adds `count` stacks of another team to the account. */
  addForeignStacks(count: number): Promise<void>;
}

/** A stack of another team, for an account that holds many. */
function foreignStack(i: number): FakeStack {
  return {
    stackId: `arn:aws:cloudformation:eu-west-2:111122223333:stack/other-${i}/${String(i).padStart(8, "0")}`,
    name: `other-${i}`,
    status: i % 7 === 0 ? "UPDATE_COMPLETE" : "CREATE_COMPLETE",
    parameters: {},
    tags: { Team: "someone-else" },
    outputs: {},
    events: [],
  };
}

/** The servers in this process. */
export class LocalStormServers implements StormServers {
  readonly aws: LocalAws;
  readonly cloud: StormCloudFormation;
  onS3Notification: (record: S3EventRecord) => void = () => undefined;
  onStatusEvent: (event: unknown) => void = () => undefined;

  constructor(
    private readonly options: StormServerOptions,
    loadHandlers = true,
  ) {
    this.cloud = new StormCloudFormation(options.cloud);
    this.cloud.onStatusEvent = (event) => this.onStatusEvent(event);
    this.aws = new LocalAws({
      policy: options.policy,
      template: options.template,
      provisioned: options.users,
      notify: true,
      // In the handlers' process, keep their log lines off the output; elsewhere nothing logs here.
      captureLogs: loadHandlers,
      loadHandlers,
      cloudFormation: this.cloud,
      deliver: (record) => this.onS3Notification(record),
    });
  }

  async start(): Promise<Record<string, string>> {
    await this.aws.start();
    const random = seededRandom(this.options.cloud.seed + 2);
    this.aws.s3Faults.latencyMs = () => drawMs(random, this.options.s3LatencyMs);
    return this.aws.handlerEnv;
  }

  stop(): Promise<void> {
    return this.aws.stop();
  }

  put(key: string, body: string): Promise<void> {
    return this.aws.put(USER_BUCKET, key, body);
  }

  async homeKeys(): Promise<string[]> {
    const latency = this.aws.s3Faults.latencyMs;
    this.aws.s3Faults.latencyMs = () => 0;
    try {
      // ListObjects (V1) with a marker: s3rver makes V2's continuation tokens with DES,
      // which OpenSSL 3 no longer offers, so a V2 listing past 1,000 keys fails there.
      const keys: string[] = [];
      let marker: string | undefined;
      do {
        const page = await this.aws.s3.send(
          new ListObjectsCommand({ Bucket: USER_BUCKET, Prefix: "home/", Marker: marker }),
        );
        const found = (page.Contents ?? []).map((o) => o.Key ?? "");
        keys.push(...found);
        marker = page.IsTruncated === true ? found.at(-1) : undefined;
      } while (marker !== undefined);
      return keys;
    } finally {
      this.aws.s3Faults.latencyMs = latency;
    }
  }

  cloudStats(): Promise<CloudStats> {
    return Promise.resolve({
      calls: this.cloud.calls.map((c) => c.action),
      throttledAtRandom: this.cloud.throttledAtRandom,
      throttledByBudget: this.cloud.throttledByBudget,
    });
  }

  busy(): Promise<boolean> {
    return Promise.resolve(this.cloud.busy);
  }

  stacks(): Promise<Array<{ name: string; status: string }>> {
    return Promise.resolve(this.cloud.stacks.map((s) => ({ name: s.name, status: s.status })));
  }

  addForeignStacks(count: number): Promise<void> {
    const first = this.cloud.stacks.length;
    for (let i = 0; i < count; i += 1) this.cloud.stacks.push(foreignStack(first + i));
    return Promise.resolve();
  }
}

/** A call from the handlers' process to the servers' process, and its answer. */
type Call = { id: number; method: keyof StormServers; args: unknown[] };
type Message =
  | { type: "s3"; record: S3EventRecord }
  | { type: "status"; event: unknown }
  | { type: "answer"; id: number; value?: unknown; error?: string };

const CHILD = fileURLToPath(new URL("./storm-servers-child.ts", import.meta.url));

/**
 * The servers in a child process: the same {@link LocalStormServers}, driven
 * over IPC. Messages on one channel arrive in order, so a notification sent
 * before an answer is handled before it.
 */
export class RemoteStormServers implements StormServers {
  onS3Notification: (record: S3EventRecord) => void = () => undefined;
  onStatusEvent: (event: unknown) => void = () => undefined;
  private child: ChildProcess | undefined;
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();

  constructor(private readonly options: StormServerOptions) {}

  async start(): Promise<Record<string, string>> {
    // The same loader (tsx) as this process, so the child runs TypeScript too.
    // "advanced" (structured clone) carries what JSON cannot, such as an unlimited budget (Infinity).
    const child = fork(CHILD, [], {
      execArgv: process.execArgv,
      stdio: "inherit",
      serialization: "advanced",
    });
    this.child = child;
    child.on("message", (message: Message) => {
      if (message.type === "s3") this.onS3Notification(message.record);
      else if (message.type === "status") this.onStatusEvent(message.event);
      else {
        const waiter = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.error !== undefined) waiter?.reject(new Error(message.error));
        else waiter?.resolve(message.value);
      }
    });
    child.on("exit", (code) => {
      for (const waiter of this.waiting.values())
        waiter.reject(new Error(`the storm's servers exited (${code})`));
      this.waiting.clear();
    });
    await this.call("configure" as keyof StormServers, [this.options]);
    return (await this.call("start", [])) as Record<string, string>;
  }

  async stop(): Promise<void> {
    await this.call("stop", []);
    this.child?.disconnect();
  }

  async put(key: string, body: string): Promise<void> {
    await this.call("put", [key, body]);
  }

  async homeKeys(): Promise<string[]> {
    return (await this.call("homeKeys", [])) as string[];
  }

  async cloudStats(): Promise<CloudStats> {
    return (await this.call("cloudStats", [])) as CloudStats;
  }

  async busy(): Promise<boolean> {
    return (await this.call("busy", [])) as boolean;
  }

  async stacks(): Promise<Array<{ name: string; status: string }>> {
    return (await this.call("stacks", [])) as Array<{ name: string; status: string }>;
  }

  async addForeignStacks(count: number): Promise<void> {
    await this.call("addForeignStacks", [count]);
  }

  private call(method: keyof StormServers, args: unknown[]): Promise<unknown> {
    const id = (this.nextId += 1);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child?.send({ id, method, args } satisfies Call);
    });
  }
}

/** The child's side: serves {@link RemoteStormServers}' calls with servers of its own. */
export function serveStormServers(): void {
  let servers: LocalStormServers | undefined;
  const send = (message: Message) => process.send?.(message);
  process.on("message", (call: Call) => {
    const run = async (): Promise<unknown> => {
      if ((call.method as string) === "configure") {
        servers = new LocalStormServers(call.args[0] as StormServerOptions, false);
        servers.onS3Notification = (record) => send({ type: "s3", record });
        servers.onStatusEvent = (event) => send({ type: "status", event });
        return undefined;
      }
      if (servers === undefined) throw new Error("not configured");
      const method = servers[call.method] as (...args: unknown[]) => Promise<unknown>;
      return method.apply(servers, call.args);
    };
    run().then(
      (value) => send({ type: "answer", id: call.id, value }),
      (error: unknown) => send({ type: "answer", id: call.id, error: String(error) }),
    );
  });
}
