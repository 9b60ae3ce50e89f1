import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import type { S3EventRecord } from "../../functions/shared/s3-event.js";
import {
  checkBundles,
  freshHandler,
  lambdaContext,
  type FunctionName,
  type Handler,
} from "./bundle-handlers.js";
import { startDynalite, type LocalDynamo } from "./dynalite-server.js";
import { stackStatusEventOf, sweepTickOf } from "./eventbridge-events.js";
import { FakeCloudFormation } from "./fake-cloudformation.js";
import {
  handlerEnvironment,
  POLICY_KEY,
  SERVICE_ROLE_ARN,
  TEMPLATE_KEY,
} from "./local-aws-environment.js";
import { CUSTOMIZER_BUCKET, startLocalS3, USER_BUCKET, type LocalS3 } from "./local-s3.js";
import {
  createRegistryTable,
  emptyRegistry,
  emptyUserBucket,
  homeFiles,
  objectMetadata,
  putObject,
  putRegistryItem,
  registryItem,
  userBucketKeys,
} from "./local-stores.js";
import { fixtureJson } from "./fixtures.js";
import { captureLogs } from "./log-capture.js";
import type { S3FaultProxy } from "./s3-fault-proxy.js";
import { notifiedFunction, UploadNotifications } from "./s3-notifications.js";
import { deliverUpload } from "./upload-queue.js";

/*
 * A whole FlightDeck on loopback: s3rver for S3 (the real protocol,
 * local-s3.ts), a fake CloudFormation/SES/STS (fake-cloudformation.ts),
 * dynalite for the cluster registry (a real local DynamoDB,
 * dynalite-server.ts), and the BUILT Lambda bundles from dist/functions,
 * loaded fresh as a cold start would (bundle-handlers.ts). This is the
 * world that ties them together: it starts and stops them, gives the
 * handlers their environment (local-aws-environment.ts), seeds the policy,
 * template and customizer keys, reads what the stores hold
 * (local-stores.ts), and invokes the handlers with the events AWS would send them: S3's
 * notifications of uploads (s3-notifications.ts) through the upload
 * queue, and EventBridge's stack-status changes and sweep ticks.
 */

export { SERVICE_ROLE_ARN, USER_BUCKET };
/** The tests' deployment, whose lifetime-sweep rule ticks {@link LocalAws.sweep}. */
const DEPLOYMENT = "fdtest";

export interface LocalAwsOptions {
  readonly policy: unknown;
  readonly template: unknown;
  /** Users whose `customizer/<user>/configure.d/user.sh` exists. */
  readonly provisioned: readonly string[];
  /** Deliver S3 events to the handlers as they happen (as the deployed notifications would). */
  readonly autoDeliver?: boolean;
  /** Whether the handlers send email (they do unless `false`). */
  readonly notify?: boolean;
  /** Extra environment for the handlers (over local-aws-environment.ts's). */
  readonly env?: Readonly<Record<string, string>>;
  /** Keep the handlers' JSON log lines in `logs` rather than silencing them. */
  readonly captureLogs?: boolean;
  /** The CloudFormation/SES to run (a subclass with more behaviour); a plain fake by default. */
  readonly cloudFormation?: FakeCloudFormation;
  /** Receives each S3 notification of the users' bucket, to invoke the handlers its own way. */
  readonly deliver?: (record: S3EventRecord) => void;
  /**
   * Whether to load the handlers here (the default). A benchmark that runs
   * the servers in a process of their own, and the handlers in another,
   * passes false and gives the handlers {@link LocalAws.handlerEnv}.
   */
  readonly loadHandlers?: boolean;
}

export class LocalAws {
  readonly cfn: FakeCloudFormation;
  /** Between the handlers and s3rver: inject S3 faults with `s3Faults.fail(…)`. */
  s3Faults!: S3FaultProxy;
  registry!: DynamoDBClient;
  /** JSON log lines the handlers wrote, when captured (see {@link LocalAwsOptions.captureLogs}). */
  readonly logs: Array<Record<string, unknown>> = [];
  /** The environment the handlers run with (set in this process too). */
  handlerEnv: Record<string, string> = {};
  /** s3rver's own URL (the handlers reach it through {@link s3Faults}). */
  endpoint = "";
  /** The fake CloudFormation, SES and STS, which all speak the AWS Query protocol. */
  queryEndpoint = "";
  s3!: S3Client;
  createHandler!: Handler;
  deleteHandler!: Handler;
  /** S3 events seen, in order. */
  readonly s3Events: S3EventRecord[];
  /** Errors thrown by auto-delivered invocations (Lambda would retry them). */
  readonly invocationErrors: unknown[];
  private readonly notifications: UploadNotifications;
  private localS3: LocalS3 | undefined;
  private dynamo: LocalDynamo | undefined;
  private stopCapture: (() => void) | undefined;
  private savedEnv: NodeJS.ProcessEnv = {};
  private requestCount = 0;

  constructor(private readonly options: LocalAwsOptions) {
    this.cfn = options.cloudFormation ?? new FakeCloudFormation();
    this.notifications = new UploadNotifications(options, (record) => this.deliver(record));
    this.s3Events = this.notifications.events;
    this.invocationErrors = this.notifications.invocationErrors;
  }

  async start(): Promise<void> {
    if (this.options.loadHandlers !== false) checkBundles();
    this.savedEnv = { ...process.env };
    this.localS3 = await startLocalS3((records) => this.notifications.receive(records));
    this.endpoint = this.localS3.endpoint;
    this.s3Faults = this.localS3.faults;
    this.queryEndpoint = await this.cfn.start();
    this.dynamo = await startDynalite();
    this.registry = this.dynamo.client;
    const urls = { s3: this.s3Faults.url, query: this.queryEndpoint, dynamo: this.dynamo.endpoint };
    this.handlerEnv = handlerEnvironment(this.options, urls);
    Object.assign(process.env, this.handlerEnv);
    this.s3 = new S3Client({ region: "eu-west-2", forcePathStyle: true });
    await this.seed();
    if (this.options.captureLogs === true) this.stopCapture = captureLogs(this.logs);
    if (this.options.loadHandlers !== false) await this.coldStart();
  }

  /** The registry's table, the policy and template, and each provisioned user's customizer key. */
  private async seed(): Promise<void> {
    await createRegistryTable(this.registry);
    await this.put(CUSTOMIZER_BUCKET, POLICY_KEY, JSON.stringify(this.options.policy));
    await this.put(CUSTOMIZER_BUCKET, TEMPLATE_KEY, JSON.stringify(this.options.template));
    for (const user of this.options.provisioned) {
      await this.put(CUSTOMIZER_BUCKET, `customizer/${user}/configure.d/user.sh`, "#!/bin/bash\n");
    }
  }

  async stop(): Promise<void> {
    await this.settled();
    this.stopCapture?.();
    await this.cfn.stop();
    await this.localS3?.stop();
    await this.dynamo?.stop();
    for (const key of Object.keys(process.env))
      if (!(key in this.savedEnv)) delete process.env[key];
    Object.assign(process.env, this.savedEnv);
  }

  /**
   * Empties the users' bucket, the registry and the fake CloudFormation,
   * keeping the servers and the loaded handlers: a property test's next run
   * starts clean without loading the bundles again (module instances are
   * never freed, so a new world per run would grow without bound).
   */
  async reset(): Promise<void> {
    await this.settled();
    await emptyUserBucket(this.s3);
    await emptyRegistry(this.registry);
    this.cfn.reset();
    this.notifications.clear();
    this.logs.length = 0;
  }

  /** Loads both bundles afresh, as a new Lambda execution environment would. */
  async coldStart(): Promise<void> {
    this.createHandler = await freshHandler("cf-create");
    this.deleteHandler = await freshHandler("cf-delete");
  }

  /**
   * One more execution environment of a function: its bundle loaded as a
   * new module instance, with its own clients and caches, as Lambda gives
   * each concurrent invocation.
   */
  freshHandler(name: FunctionName): Promise<Handler> {
    return freshHandler(name);
  }

  /** The loaded handler of a function. */
  private handlerOf(name: FunctionName): Handler {
    return name === "cf-create" ? this.createHandler : this.deleteHandler;
  }

  /**
   * Delivers an upload as the deployment does: its notification through the
   * upload queue to the function the bucket's filters send it to (see
   * upload-queue.ts). Rejects when the function reports it failed, as SQS
   * would count a receive that needs another.
   */
  async deliver(record: S3EventRecord): Promise<void> {
    const name = notifiedFunction(record.s3.object.key);
    if (name === undefined) throw new Error(`no notification sends ${record.s3.object.key}`);
    await deliverUpload(this.handlerOf(name), record, this.context());
  }

  /** Waits for auto-delivered invocations to finish. */
  settled(): Promise<void> {
    return this.notifications.settled();
  }

  /** Delivers a stack-status event for `name`'s current status to the function EventBridge routes it to. */
  async statusEvent(
    name: string,
    options: { to?: "create" | "delete"; status?: string } = {},
  ): Promise<void> {
    const stack = this.cfn.newest(name);
    if (stack === undefined) throw new Error(`no stack ${name}`);
    const status = options.status ?? stack.status;
    const to = options.to ?? (status.startsWith("DELETE") ? "delete" : "create");
    const handler = this.handlerOf(to === "create" ? "cf-create" : "cf-delete");
    await handler(stackStatusEventOf(stack, status), this.context());
  }

  /** Delivers a tick of the lifetime sweep's rate(15 minutes) schedule to cf-delete, as EventBridge does. */
  sweep(): Promise<unknown> {
    return this.deleteHandler(sweepTickOf(DEPLOYMENT), this.context());
  }

  /** A Lambda context for one more invocation. */
  context(): unknown {
    this.requestCount += 1;
    return lambdaContext(this.requestCount);
  }

  put(bucket: string, key: string, body: string): Promise<void> {
    return putObject(this.s3, bucket, key, body);
  }

  /** Uploads into the user bucket and returns the S3 event it produced. */
  async upload(key: string, body: string): Promise<S3EventRecord> {
    const before = this.s3Events.length;
    await this.put(USER_BUCKET, key, body);
    const event = this.s3Events[before];
    if (event === undefined) throw new Error(`s3rver emitted no event for ${key}`);
    return event;
  }

  /** The current files in a user's home: name → body. */
  home(user: string): Promise<Record<string, string>> {
    return homeFiles(this.s3, user);
  }

  /** An object's S3 user metadata (`x-amz-meta-*`, names lowercased). */
  metadata(bucket: string, key: string): Promise<Record<string, string>> {
    return objectMetadata(this.s3, bucket, key);
  }

  /** Every key in the user bucket. */
  allKeys(): Promise<string[]> {
    return userBucketKeys(this.s3);
  }

  /** The registry's item for `user`, as DynamoDB holds it, or `undefined`. */
  registryItem(user: string): Promise<Record<string, AttributeValue> | undefined> {
    return registryItem(this.registry, user);
  }

  /** Replaces the registry's item for a user (to stage a leaked or stale slot). */
  putRegistryItem(item: Record<string, AttributeValue>): Promise<void> {
    return putRegistryItem(this.registry, item);
  }
}

/**
 * A world for the command line's own checks: a users' bucket the handlers
 * never act on (no deployment document, nobody provisioned, no email).
 */
export const bucketOnlyAws = (): LocalAws =>
  new LocalAws({
    policy: {},
    template: fixtureJson("templates/seed-like.json"),
    provisioned: [],
    notify: false,
  });
