import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import dynalite from "dynalite";
import type { EventEmitter } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import S3rver from "s3rver";
import type { S3EventRecord } from "../../functions/shared/s3-event.js";
import { FakeCloudFormation, stackStatusEventOf } from "./fake-cloudformation.js";
import { S3FaultProxy } from "./s3-fault-proxy.js";
import { deliverUpload } from "./upload-queue.js";

/*
 * A whole FlightDeck on loopback: s3rver for S3 (the real protocol), a fake
 * CloudFormation/SES, dynalite for the cluster registry (a real local
 * DynamoDB), and the BUILT Lambda bundles from dist/functions,
 * loaded fresh as a cold start would. S3 uploads are turned into events the
 * way S3 notifications would deliver them (prefix home/, suffixes
 * .cf-create/.cf-delete/.cf-extend, key form-URL-encoded).
 */

export const USER_BUCKET = "fd-users";
const CUSTOMIZER_BUCKET = "fd-customizer";
const POLICY_KEY = "flightdeck/policy-test.json";
const TEMPLATE_KEY = "flightdeck/templates/cluster-test.json";
const REGISTRY_TABLE = "fd-test-clusters";
export const SERVICE_ROLE_ARN = "arn:aws:iam::111122223333:role/flightdeck/cluster-builder";
const root = fileURLToPath(new URL("../..", import.meta.url));

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export interface LocalAwsOptions {
  readonly policy: unknown;
  readonly template: unknown;
  /** Users whose `customizer/<user>/configure.d/user.sh` exists. */
  readonly provisioned: readonly string[];
  /** Deliver S3 events to the handlers as they happen (as the deployed notifications would). */
  readonly autoDeliver?: boolean;
  readonly notify?: boolean;
  /** Extra environment for the handlers (overrides the defaults below). */
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

/** How S3 writes a key into an event: form-URL-encoded (s3rver does not, so we do it here). */
export const s3EventKey = (key: string) =>
  encodeURIComponent(key).replace(/%2F/g, "/").replace(/%20/g, "+");

/**
 * One more execution environment of a function: its built bundle loaded as a
 * new module instance, with its own clients and caches.
 */
export async function freshHandler(name: "cf-create" | "cf-delete"): Promise<Handler> {
  const url = pathToFileURL(path.join(root, "dist", "functions", name, "index.mjs"));
  url.search = `?cold=${Date.now()}-${Math.random()}`;
  return ((await import(url.href)) as { handler: Handler }).handler;
}

/** Refuses to start without the built bundles the handlers are loaded from. */
function checkBundles(): void {
  for (const name of ["cf-create", "cf-delete"]) {
    if (!existsSync(path.join(root, "dist", "functions", name, "index.mjs"))) {
      throw new Error(
        `dist/functions/${name}/index.mjs is missing: run "npm run build" first (npm test does).`,
      );
    }
  }
}

/**
 * Stops s3rver removing a folder when its last object is deleted. S3 has no
 * folders; s3rver stores keys as files and, after a delete, removes the
 * folders left empty, which races with a concurrent upload into the same
 * folder (its file is written into a folder just removed: a 500
 * InternalError, again on every retry under load). A flood of uploads into
 * one sub-folder, which the handlers refuse and remove, hit it. Deleting
 * only the object's files leaves empty folders, which list as nothing.
 */
function keepFolders(server: S3rver): void {
  type Store = { getResourcePath(bucket: string, key: string, kind: string): string };
  const store = (server as unknown as { store: Store & Record<string, unknown> }).store;
  store["deleteObject"] = async (bucket: string, key: string) => {
    await Promise.all(
      ["object", "object.md5", "metadata.json"].map((kind) =>
        unlink(store.getResourcePath(bucket, key, kind)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== "ENOENT") throw error;
        }),
      ),
    );
  };
}

export class LocalAws {
  readonly cfn: FakeCloudFormation;
  /** Between the handlers and s3rver: inject S3 faults with `s3Faults.fail(…)`. */
  s3Faults!: S3FaultProxy;
  private s3rver: S3rver | undefined;
  private dynamo: Server | undefined;
  registry!: DynamoDBClient;
  /** JSON log lines the handlers wrote, when captured (see {@link captureLogs}). */
  readonly logs: Array<Record<string, unknown>> = [];
  private restoreStdout: (() => void) | undefined;
  private directory = "";
  private savedEnv: NodeJS.ProcessEnv = {};
  /** The environment the handlers run with (set in this process too). */
  handlerEnv: Record<string, string> = {};
  endpoint = "";
  /** The fake CloudFormation, SES and STS, which all speak the AWS Query protocol. */
  queryEndpoint = "";
  s3!: S3Client;
  createHandler!: Handler;
  deleteHandler!: Handler;
  /** S3 events seen, in order. */
  readonly s3Events: S3EventRecord[] = [];
  /** Errors thrown by auto-delivered invocations (Lambda would retry them). */
  readonly invocationErrors: unknown[] = [];
  private pending: Array<Promise<void>> = [];
  private sequence = 0;
  private requestCount = 0;

  constructor(private readonly options: LocalAwsOptions) {
    this.cfn = options.cloudFormation ?? new FakeCloudFormation();
  }

  async start(): Promise<void> {
    if (this.options.loadHandlers !== false) checkBundles();
    await this.startS3();
    const queryUrl = await this.cfn.start();
    this.queryEndpoint = queryUrl;
    const dynamoUrl = await this.startDynamo();
    this.savedEnv = { ...process.env };
    this.handlerEnv = this.environment(queryUrl, dynamoUrl);
    Object.assign(process.env, this.handlerEnv);
    this.s3 = new S3Client({ region: "eu-west-2", forcePathStyle: true });
    this.registry = new DynamoDBClient({ region: "eu-west-2", endpoint: dynamoUrl });
    await this.seed();
    if (this.options.captureLogs === true) this.captureLogs();
    if (this.options.loadHandlers !== false) await this.coldStart();
  }

  /** s3rver with both buckets, behind the fault proxy the handlers reach it through. */
  private async startS3(): Promise<void> {
    this.directory = mkdtempSync(path.join(tmpdir(), "fd-s3rver-"));
    this.s3rver = new S3rver({
      port: 0,
      address: "127.0.0.1",
      silent: true,
      directory: this.directory,
      configureBuckets: [
        { name: USER_BUCKET, configs: [] },
        { name: CUSTOMIZER_BUCKET, configs: [] },
      ],
    });
    keepFolders(this.s3rver);
    const { port } = await this.s3rver.run();
    this.endpoint = `http://127.0.0.1:${port}`;
    this.s3Faults = new S3FaultProxy(this.endpoint);
    await this.s3Faults.start();
    // s3rver is a Koa app, so an EventEmitter, though its types do not say so.
    (this.s3rver as unknown as EventEmitter).on("event", (event: { Records: S3EventRecord[] }) =>
      this.onS3Event(event),
    );
  }

  /** dynalite on loopback; its URL. */
  private async startDynamo(): Promise<string> {
    this.dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => this.dynamo?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.dynamo.address() as AddressInfo).port}`;
  }

  /** The handlers' environment: every AWS endpoint on loopback, and FlightDeck's settings. */
  private environment(queryUrl: string, dynamoUrl: string): Record<string, string> {
    return {
      AWS_REGION: "eu-west-2",
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_ENDPOINT_URL_S3: this.s3Faults.url,
      AWS_ENDPOINT_URL_CLOUDFORMATION: queryUrl,
      AWS_ENDPOINT_URL_SES: queryUrl,
      AWS_ENDPOINT_URL_STS: queryUrl,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
      AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
      AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL:
        process.env["FD_TEST_LOGS"] === "1" || this.options.captureLogs === true
          ? "INFO"
          : "SILENT",
      FD_S3_FORCE_PATH_STYLE: "true",
      FD_USER_BUCKET: USER_BUCKET,
      FD_CUSTOMIZER_BUCKET: CUSTOMIZER_BUCKET,
      FD_POLICY_KEY: POLICY_KEY,
      FD_TEMPLATE_KEY: TEMPLATE_KEY,
      FD_SERVICE_ROLE_ARN: SERVICE_ROLE_ARN,
      FD_REGISTRY_TABLE: REGISTRY_TABLE,
      ...this.options.env,
      ...(this.options.notify !== false && {
        FD_NOTIFY_FROM: "flightdeck@example.org",
        FD_NOTIFY_ADMIN: "admin@example.org",
      }),
    };
  }

  /** The registry's table, the policy and template, and each provisioned user's customizer key. */
  private async seed(): Promise<void> {
    await this.registry.send(
      new CreateTableCommand({
        TableName: REGISTRY_TABLE,
        AttributeDefinitions: [{ AttributeName: "user", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "user", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    await this.put(CUSTOMIZER_BUCKET, POLICY_KEY, JSON.stringify(this.options.policy));
    await this.put(CUSTOMIZER_BUCKET, TEMPLATE_KEY, JSON.stringify(this.options.template));
    for (const user of this.options.provisioned) {
      await this.put(CUSTOMIZER_BUCKET, `customizer/${user}/configure.d/user.sh`, "#!/bin/bash\n");
    }
  }

  /** Loads both bundles afresh, as a new Lambda execution environment would. */
  async coldStart(): Promise<void> {
    this.createHandler = await this.freshHandler("cf-create");
    this.deleteHandler = await this.freshHandler("cf-delete");
  }

  /**
   * One more execution environment of a function: its bundle loaded as a
   * new module instance, with its own clients and caches, as Lambda gives
   * each concurrent invocation.
   */
  freshHandler(name: "cf-create" | "cf-delete"): Promise<Handler> {
    return freshHandler(name);
  }

  /**
   * Keeps the handlers' JSON log lines in {@link logs} instead of printing
   * them (the handlers' Logger writes to stdout); other output passes on.
   */
  private captureLogs(): void {
    // Powertools writes INFO to stdout, WARN and ERROR to stderr.
    const restore = [process.stdout, process.stderr].map((stream) => {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
        const lines = text.split("\n").filter((line) => line.trim() !== "");
        const parsed = lines.map((line) => {
          try {
            const value: unknown = JSON.parse(line);
            return typeof value === "object" && value !== null && "service" in value
              ? (value as Record<string, unknown>)
              : undefined;
          } catch {
            return undefined;
          }
        });
        if (lines.length > 0 && parsed.every((entry) => entry !== undefined)) {
          this.logs.push(...(parsed as Array<Record<string, unknown>>));
          return true;
        }
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      return () => {
        stream.write = write;
      };
    });
    this.restoreStdout = () => restore.forEach((undo) => undo());
  }

  /** The registry's item for `user`, as DynamoDB holds it, or `undefined`. */
  async registryItem(user: string): Promise<Record<string, AttributeValue> | undefined> {
    const got = await this.registry.send(
      new GetItemCommand({
        TableName: REGISTRY_TABLE,
        Key: { user: { S: user } },
        ConsistentRead: true,
      }),
    );
    return got.Item;
  }

  /** Replaces the registry's item for a user (to stage a leaked or stale slot). */
  async putRegistryItem(item: Record<string, AttributeValue>): Promise<void> {
    await this.registry.send(new PutItemCommand({ TableName: REGISTRY_TABLE, Item: item }));
  }

  async stop(): Promise<void> {
    await this.settled();
    this.restoreStdout?.();
    await this.cfn.stop();
    await this.s3Faults.stop();
    await this.s3rver?.close();
    await new Promise((resolve) => this.dynamo?.close(resolve));
    this.registry.destroy();
    rmSync(this.directory, { recursive: true, force: true });
    for (const key of Object.keys(process.env))
      if (!(key in this.savedEnv)) delete process.env[key];
    Object.assign(process.env, this.savedEnv);
  }

  private onS3Event(event: { Records: S3EventRecord[] }): void {
    for (const record of event.Records) {
      // Only the users' bucket has notifications.
      if (record.s3.bucket.name !== USER_BUCKET) continue;
      this.sequence += 1;
      const encoded: S3EventRecord = {
        ...record,
        s3: {
          ...record.s3,
          object: {
            ...record.s3.object,
            key: s3EventKey(record.s3.object.key),
            // As S3's: unique to each upload of a key. s3rver stamps Date.now(), which two
            // uploads in one millisecond (or under an injected clock) would share, and
            // the handlers tell one upload from the next by it (requestIdOf).
            sequencer: this.sequence.toString(16).toUpperCase().padStart(18, "0"),
          },
        },
      };
      this.s3Events.push(encoded);
      this.options.deliver?.(encoded);
      if (this.options.autoDeliver === true) {
        if (this.routeFor(record.s3.object.key) !== undefined) {
          this.pending.push(
            this.deliver(encoded).catch((e: unknown) => void this.invocationErrors.push(e)),
          );
        }
      }
    }
  }

  /**
   * Delivers an upload as the deployment does: its notification through the
   * upload queue to the function the bucket's filters send it to (see
   * upload-queue.ts). Rejects when the function reports it failed, as SQS
   * would count a receive that needs another.
   */
  async deliver(record: S3EventRecord): Promise<void> {
    const handler = this.routeFor(record.s3.object.key);
    if (handler === undefined) throw new Error(`no notification sends ${record.s3.object.key}`);
    await deliverUpload(handler, record, this.context());
  }

  /**
   * Empties the users' bucket, the registry and the fake CloudFormation,
   * keeping the servers and the loaded handlers: a property test's next run
   * starts clean without loading the bundles again (module instances are
   * never freed, so a new world per run would grow without bound).
   */
  async reset(): Promise<void> {
    await this.settled();
    // ListObjects (V1): s3rver makes V2's continuation tokens with DES, which OpenSSL 3 lacks.
    const listing = await this.s3.send(new ListObjectsCommand({ Bucket: USER_BUCKET }));
    for (const object of listing.Contents ?? [])
      await this.s3.send(new DeleteObjectCommand({ Bucket: USER_BUCKET, Key: object.Key }));
    if (listing.IsTruncated === true) return this.reset();
    const items = await this.registry.send(new ScanCommand({ TableName: REGISTRY_TABLE }));
    for (const item of items.Items ?? [])
      await this.registry.send(
        new DeleteItemCommand({
          TableName: REGISTRY_TABLE,
          Key: { user: item["user"] ?? { S: "" } },
        }),
      );
    this.cfn.reset();
    this.s3Events.length = 0;
    this.logs.length = 0;
    this.invocationErrors.length = 0;
  }

  /** The handler the deployed S3 notification would invoke for `key`, if any. */
  private routeFor(key: string): Handler | undefined {
    if (!key.startsWith("home/")) return undefined;
    if (key.endsWith(".cf-create")) return this.createHandler;
    if (key.endsWith(".cf-delete") || key.endsWith(".cf-extend")) return this.deleteHandler;
    return undefined;
  }

  /** Waits for auto-delivered invocations to finish. */
  async settled(): Promise<void> {
    while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
  }

  context(): unknown {
    this.requestCount += 1;
    return {
      functionName: "test",
      awsRequestId: `req-${this.requestCount}`,
      invokedFunctionArn: "arn:aws:lambda:eu-west-2:111122223333:function:test",
      memoryLimitInMB: "256",
      functionVersion: "$LATEST",
    };
  }

  async put(bucket: string, key: string, body: string): Promise<void> {
    // The length named, or the SDK warns about an empty body as about a stream of unknown length.
    await this.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentLength: Buffer.byteLength(body),
      }),
    );
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
  async home(user: string): Promise<Record<string, string>> {
    const listing = await this.s3.send(
      new ListObjectsV2Command({ Bucket: USER_BUCKET, Prefix: `home/${user}/` }),
    );
    const files: Record<string, string> = {};
    for (const object of listing.Contents ?? []) {
      const got = await this.s3.send(
        new GetObjectCommand({ Bucket: USER_BUCKET, Key: object.Key }),
      );
      files[(object.Key ?? "").slice(`home/${user}/`.length)] =
        (await got.Body?.transformToString()) ?? "";
    }
    return files;
  }

  /** An object's S3 user metadata (`x-amz-meta-*`, names lowercased). */
  async metadata(bucket: string, key: string): Promise<Record<string, string>> {
    const head = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.Metadata ?? {};
  }

  /** Every key in the user bucket. */
  async allKeys(): Promise<string[]> {
    const listing = await this.s3.send(new ListObjectsV2Command({ Bucket: USER_BUCKET }));
    return (listing.Contents ?? []).map((o) => o.Key ?? "").sort();
  }

  /** Delivers a stack-status event for `name`'s current status to the function EventBridge routes it to. */
  async statusEvent(
    name: string,
    options: { to?: "create" | "delete"; status?: string } = {},
  ): Promise<void> {
    const stack = this.cfn.stacks.filter((s) => s.name === name).pop();
    if (stack === undefined) throw new Error(`no stack ${name}`);
    const status = options.status ?? stack.status;
    const to = options.to ?? (status.startsWith("DELETE") ? "delete" : "create");
    const event = stackStatusEventOf(stack, status);
    await (to === "create" ? this.createHandler : this.deleteHandler)(event, this.context());
  }
}
