import { readFileSync } from "node:fs";
import {
  CREATE_OUTCOME_STATUSES,
  DELETE_OUTCOME_STATUSES,
} from "../../../functions/shared/stack-status-event.js";
import type { S3EventRecord } from "../../../functions/shared/s3-event.js";
import { freshHandler } from "../bundle-handlers.js";
import { sweepTickOf } from "../eventbridge-events.js";
import { TRIGGER_FILTERS } from "../../../functions/shared/trigger-filters.js";
import { uploadConcurrency } from "../../../stacks/settings/upload-concurrency.js";
import { MAX_RECEIVES } from "../../../stacks/triggers/upload-queue.js";
import {
  bundleUrl,
  moduleEnvironment,
  processEnvironment,
  type EnvironmentKind,
  type ExecutionEnvironment,
} from "./lambda-environment.js";
import { LambdaModel } from "./lambda-model.js";
import { seededRandom, type MsRange, type Random } from "./seeded-random.js";
import type { CloudBehaviour } from "./storm-cloudformation.js";
import { LocalStormServers, RemoteStormServers, type StormServers } from "./storm-servers.js";
import { auditStorm, type StormAudit, type StormPhase, type StormState } from "./storm-audit.js";
import { stackNameFor } from "../../../functions/shared/stack-name.js";
import { eventKindOf, STORM_CLUSTER_CONFIG, stormPolicy, stormUser } from "./storm-policy.js";
import type { ClusterName, StackPrefix, UserId } from "../../../functions/shared/identifiers.js";

/*
 * A whole deployment under a storm, on loopback: the BUILT bundles run as
 * Lambda would run them (see lambda-model.ts) behind the upload queues S3
 * notifies and two EventBridge rules, against s3rver, dynalite and a CloudFormation that is
 * slow, throttled and settles stacks on its own (storm-cloudformation.ts).
 */

const TEMPLATE = JSON.parse(readFileSync("template/cluster.json", "utf8")) as unknown;

export interface StormOptions {
  readonly users: number;
  readonly clustersPerUser: number;
  readonly cloud: CloudBehaviour;
  /** S3's own time per request, through the fault proxy. */
  readonly s3LatencyMs: MsRange;
  /** Reserved concurrency of each function, as the settings give it. */
  readonly concurrency: { readonly create: number; readonly delete: number };
  /** Lambda's two retry delays, scaled to the run. */
  readonly retryDelaysMs: readonly [number, number];
  /** The share of S3 notifications delivered twice (S3 delivers at least once). */
  readonly s3DuplicateRate: number;
  /** Uploads in flight at once while the storm is being dropped in. */
  readonly uploadParallelism: number;
  /**
   * How S3 reaches the functions: through an upload queue per function, as
   * deployed (the default), or by invoking them directly, as before the
   * queues (to compare).
   */
  readonly uploadsVia?: "queue" | "direct";
  /** The policy's limits, in place of the storm's own (which let every user have all their clusters). */
  readonly limits?: Readonly<Record<string, string>>;
  /** Users beyond the storm's own, with their clusters' limits from `limits` too. */
  readonly extraUsers?: readonly string[];
  /**
   * Runs s3rver, dynalite and the fake CloudFormation in a child process, so
   * that the handlers' process does nothing else (a benchmark's choice; the
   * tests keep everything in one process).
   */
  readonly serversOutOfProcess?: boolean;
  /**
   * What each execution environment is (lambda-environment.ts): a module
   * instance in this process (the default), or a process of its own, whose
   * cold start and first invocations are real.
   */
  readonly environments?: EnvironmentKind;
}

/** Starts an execution environment of the built function, of the kind asked for. */
function coldStart(
  name: "cf-create" | "cf-delete",
  kind: EnvironmentKind,
): Promise<ExecutionEnvironment> {
  // A process environment gets the handlers' environment variables as they are at its start.
  return kind === "process"
    ? processEnvironment(bundleUrl(name), { ...process.env })
    : freshHandler(name).then(moduleEnvironment);
}

/** Drops the JSON log lines written to stdout and stderr (a Lambda's go to CloudWatch); the rest passes. */
function dropJsonLines(): () => void {
  const restore = [process.stdout, process.stderr].map((stream) => {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (typeof chunk === "string" ? chunk.startsWith("{") : chunk[0] === 0x7b) return true;
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    return () => {
      stream.write = write;
    };
  });
  return () => restore.forEach((undo) => undo());
}

const CREATE_RULE: ReadonlySet<string> = new Set(CREATE_OUTCOME_STATUSES);
const DELETE_RULE: ReadonlySet<string> = new Set(DELETE_OUTCOME_STATUSES);

export class StormWorld {
  readonly servers: StormServers;
  readonly create: LambdaModel;
  readonly delete: LambdaModel;
  readonly users: readonly string[];
  readonly clusters: readonly string[];
  /** Every S3 notification of the users' bucket, in order. */
  readonly s3Events: S3EventRecord[] = [];
  private readonly random: Random;
  private phaseStart = 0;
  private savedEnv: NodeJS.ProcessEnv = {};
  private restoreOutput: (() => void) | undefined;

  constructor(readonly options: StormOptions) {
    this.random = seededRandom(options.cloud.seed + 1);
    this.users = Array.from({ length: options.users }, (_, i) => stormUser(i));
    this.clusters = Array.from({ length: options.clustersPerUser }, (_, i) => `c${i + 1}`);
    const everyone = [...this.users, ...(options.extraUsers ?? [])];
    const serverOptions = {
      policy: stormPolicy(everyone, options.clustersPerUser, options.limits),
      template: TEMPLATE,
      users: everyone,
      cloud: options.cloud,
      s3LatencyMs: options.s3LatencyMs,
    };
    this.servers =
      options.serversOutOfProcess === true
        ? new RemoteStormServers(serverOptions)
        : new LocalStormServers(serverOptions);
    this.servers.onS3Notification = (record) => this.onS3Notification(record);
    this.servers.onStatusEvent = (event) => this.onStatusEvent(event);
    const lambda = (name: "cf-create" | "cf-delete", reservedConcurrency: number) =>
      new LambdaModel({
        name,
        reservedConcurrency,
        ...(options.uploadsVia === "direct"
          ? {}
          : {
              uploads: {
                maximumConcurrency: uploadConcurrency(reservedConcurrency),
                maxReceives: MAX_RECEIVES,
                // SQS hides a message for six function timeouts; scaled down as the retries are.
                visibilityTimeoutMs: options.retryDelaysMs[0],
              },
            }),
        coldStart: () => coldStart(name, options.environments ?? "module"),
        retryDelaysMs: options.retryDelaysMs,
        kindOf: eventKindOf,
      });
    this.create = lambda("cf-create", options.concurrency.create);
    this.delete = lambda("cf-delete", options.concurrency.delete);
  }

  async start(): Promise<this> {
    const env = await this.servers.start();
    if (this.options.serversOutOfProcess === true) {
      // The handlers run here: their environment, and their log lines written as Lambda's
      // are (INFO, to stdout), then dropped rather than printed amid the figures.
      this.savedEnv = { ...process.env };
      Object.assign(process.env, env, { POWERTOOLS_LOG_LEVEL: "INFO" });
      this.restoreOutput = dropJsonLines();
    }
    return this;
  }

  async stop(): Promise<void> {
    this.create.close();
    this.delete.close();
    await this.servers.stop();
    if (this.options.serversOutOfProcess === true) {
      this.restoreOutput?.();
      for (const key of Object.keys(process.env))
        if (!(key in this.savedEnv)) delete process.env[key];
      Object.assign(process.env, this.savedEnv);
    }
  }

  /** Every (user, cluster) of the storm. */
  requests(): Array<{ user: string; cluster: string }> {
    return this.users.flatMap((user) => this.clusters.map((cluster) => ({ user, cluster })));
  }

  /** Uploads a file into the users' bucket; its notification is on its way when this resolves. */
  put(key: string, body: string): Promise<void> {
    return this.servers.put(key, body);
  }

  /** Drops one trigger file per request into the users' homes, `uploadParallelism` at a time. */
  async drop(action: "create" | "delete"): Promise<void> {
    const keys = this.requests().map(({ user, cluster }) => `home/${user}/${cluster}.cf-${action}`);
    const body = action === "create" ? STORM_CLUSTER_CONFIG : "please\n";
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const key = keys[next] ?? "";
        next += 1;
        await this.put(key, body);
      }
    };
    await Promise.all(Array.from({ length: this.options.uploadParallelism }, worker));
  }

  /** EventBridge's schedule: one tick of the lifetime sweep, to cf-delete. */
  sweep(): void {
    this.delete.invokeAsync(sweepTickOf("fdstorm"));
  }

  /** Waits until no event is queued, running, awaiting a retry or still to be delivered. */
  async drained(): Promise<void> {
    // Work makes work (a create starts a stack that settles and announces itself), so poll the
    // servers, but only while both functions are idle: a poll is work in the handlers' process,
    // and would count as theirs in an invocation's CPU time.
    for (let quietChecks = 0; quietChecks < 3;) {
      await Promise.all([this.create.settled(), this.delete.settled()]);
      await new Promise((resolve) => setTimeout(resolve, 25));
      const idle = this.create.quiet && this.delete.quiet;
      quietChecks = idle && !(await this.servers.busy()) ? quietChecks + 1 : 0;
    }
  }

  /** Starts counting result-file writes afresh, for the next phase. */
  newPhase(): void {
    this.phaseStart = this.s3Events.length;
  }

  /** What the storm left behind, for {@link auditStorm}; result writes since {@link newPhase}. */
  async state(): Promise<StormState> {
    const homes = new Map<string, string[]>(this.users.map((user) => [user, []]));
    for (const key of await this.servers.homeKeys()) {
      const [, user = "", ...rest] = key.split("/");
      if (rest.length === 1) homes.get(user)?.push(rest[0] ?? "");
    }
    return {
      requests: this.requests(),
      homes,
      stacks: await this.servers.stacks(),
      deadLetters: this.create.deadLetters.length + this.delete.deadLetters.length,
      resultWrites: this.s3Events
        .slice(this.phaseStart)
        .filter((e) => e.eventName.startsWith("ObjectCreated"))
        .map((e) => decodeURIComponent(e.s3.object.key.replace(/\+/g, " ")))
        .filter((key) => /\.cf-(created|deleted|failed)$/.test(key)),
    };
  }

  /** The stack FlightDeck names for a storm cluster. */
  stackNameOf(user: string, cluster: string): string {
    return stackNameFor("fd" as StackPrefix, user as UserId, cluster as ClusterName);
  }

  /** Checks the phase's outcome: see {@link auditStorm}. */
  async audit(phase: StormPhase): Promise<StormAudit> {
    return auditStorm(phase, await this.state(), (user, cluster) =>
      this.stackNameOf(user, cluster),
    );
  }

  private onS3Notification(record: S3EventRecord): void {
    this.s3Events.push(record);
    // The notifications FlightDeck configures are for new objects only.
    if (!record.eventName.startsWith("ObjectCreated")) return;
    const key = record.s3.object.key;
    const filter = TRIGGER_FILTERS.find((f) => key.startsWith(f.prefix) && key.endsWith(f.suffix));
    if (filter === undefined) return;
    const target = filter.handler === "create" ? this.create : this.delete;
    const copies = this.random() < this.options.s3DuplicateRate ? 2 : 1;
    for (let i = 0; i < copies; i += 1) {
      if (this.options.uploadsVia === "direct") target.invokeAsync({ Records: [record] });
      else target.sendToQueue({ Records: [record] });
    }
  }

  /** EventBridge: the two rules match FlightDeck's stacks' final statuses. */
  private onStatusEvent(event: unknown): void {
    const detail = (
      event as { detail: { "stack-id": string; "status-details": { status: string } } }
    ).detail;
    if (!/:stack\/fd-/.test(detail["stack-id"])) return;
    const status = detail["status-details"].status;
    if (CREATE_RULE.has(status)) this.create.invokeAsync(event);
    if (DELETE_RULE.has(status)) this.delete.invokeAsync(event);
  }
}
