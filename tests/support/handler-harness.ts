import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type Stack,
  type StackEvent,
} from "@aws-sdk/client-cloudformation";
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { sdkStreamMixin } from "@smithy/util-stream";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { Readable } from "node:stream";
import type { CreateDeps } from "../../functions/cf-create/create-deps.js";
import type { DeleteDeps } from "../../functions/cf-delete/delete-deps.js";
import { decodeTemplate } from "../../functions/shared/cfn-template.js";
import type { DeploymentPolicy } from "../../functions/shared/deployment-policy.js";
import type { CreateEnvironment } from "../../functions/shared/handler-environment.js";
import type { Notice } from "../../functions/shared/notice.js";
import type { S3EventRecord } from "../../functions/shared/s3-event.js";
import type { StackStatusEvent } from "../../functions/shared/stack-status-event.js";
import type { DecisionLog } from "../../functions/shared/runtime/decision-log.js";
import { OutcomeReporter } from "../../functions/shared/runtime/outcome-reporter.js";
import { Stacks } from "../../functions/shared/runtime/stacks.js";
import { UserHome } from "../../functions/shared/runtime/user-home.js";
import { rightOf } from "./either.js";
import { fixtureJson } from "./fixtures.js";
import { manualClock, type ManualClock } from "./injected-clock.js";
import { MemoryRegistry } from "./memory-registry.js";
import { basePolicy } from "./policies.js";

const USER_BUCKET = "flightdeck-users";
const CUSTOMIZER_BUCKET = "flightdeck-customizer";
const ACCOUNT = "111122223333";
export const SERVICE_ROLE = `arn:aws:iam::${ACCOUNT}:role/flightdeck/cluster-builder`;

/** A stack id as CloudFormation makes them. */
export const stackIdOf = (name: string, uuid = "a1b2c3d4-0000-1111-2222-333344445555") =>
  `arn:aws:cloudformation:eu-west-2:${ACCOUNT}:stack/${name}/${uuid}`;

/** An S3 ObjectCreated record, with the key form-URL-encoded as real S3 sends it. */
export function s3Record(
  key: string,
  extra: { versionId?: string; bucket?: string } = {},
): S3EventRecord {
  return {
    eventSource: "aws:s3",
    eventName: "ObjectCreated:Put",
    s3: {
      bucket: { name: extra.bucket ?? USER_BUCKET },
      object: {
        key: encodeURIComponent(key).replace(/%2F/g, "/").replace(/%20/g, "+"),
        size: 10,
        sequencer: "0055AED6DCD90281E5",
        ...(extra.versionId === undefined ? {} : { versionId: extra.versionId }),
      },
    },
  };
}

/** A CloudFormation stack-status event for `stackName`. */
export function statusEvent(stackName: string, status: string, token?: string): StackStatusEvent {
  return {
    source: "aws.cloudformation",
    "detail-type": "CloudFormation Stack Status Change",
    detail: {
      "stack-id": stackIdOf(stackName),
      "status-details": { status, "status-reason": "" },
      ...(token === undefined ? {} : { "client-request-token": token }),
    },
  };
}

/** A described stack, tagged as FlightDeck tags them. */
export function stack(name: string, status: string, extra: Partial<Stack> = {}): Stack {
  const [, user = "", cluster = ""] = /^fd-([^-]+)-(.+)$/.exec(name) ?? [];
  return {
    StackId: stackIdOf(name),
    StackName: name,
    StackStatus: status as Stack["StackStatus"],
    CreationTime: new Date("2026-11-25T10:00:00Z"),
    Tags: [
      { Key: "USER", Value: user },
      { Key: "CLUSTER", Value: cluster },
      { Key: "ManagedBy", Value: "flightdeck" },
      { Key: "FlightDeckDeployment", Value: "fdtest" },
    ],
    RoleARN: SERVICE_ROLE,
    ...extra,
  };
}

/** Stack events, oldest first in the arguments; returned newest first as CloudFormation does. */
export function events(...list: Array<Partial<StackEvent>>): StackEvent[] {
  return list
    .map((e, i) => ({
      EventId: `e${i}`,
      StackId: "x",
      StackName: "x",
      Timestamp: new Date(Date.UTC(2026, 10, 25, 10, 0, i)),
      ...e,
    }))
    .reverse();
}

/** An S3 GetObject body. */
export function body(text: string) {
  return sdkStreamMixin(Readable.from([Buffer.from(text)]));
}

/** Records log lines and notices so tests can read what the handler decided. */
export class Recorder implements DecisionLog {
  readonly lines: Array<{ level: string; message: string; extra?: Record<string, unknown> }> = [];
  readonly notices: Array<{ notice: Notice; userEmail: string | undefined }> = [];
  info(message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level: "info", message, ...(extra ? { extra } : {}) });
  }
  warn(message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level: "warn", message, ...(extra ? { extra } : {}) });
  }
  error(message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level: "error", message, ...(extra ? { extra } : {}) });
  }
  messages(): string[] {
    return this.lines.map((l) => l.message);
  }
}

/**
 * The slot a create of `stackName` took, as the registry holds it once its
 * stack was recorded: what every complete stack of a user's cluster has.
 */
export function holdSlotFor(
  registry: MemoryRegistry,
  stackName: string,
  vcpus = 4,
  nowMs = Date.now(),
): void {
  const [, user = "", cluster = ""] = /^fd-([^-]+)-(.+)$/.exec(stackName) ?? [];
  const slots = registry.slots.get(user) ?? new Map();
  slots.set(cluster, {
    acquiredAt: nowMs,
    vcpus,
    token: `fd-create-${cluster}`,
    stackId: stackIdOf(stackName),
    expiresAt: nowMs + 3_600_000,
  });
  registry.slots.set(user, slots);
}

/** A handler's world: mocked S3 and CloudFormation behind the real adapters. */
export interface Harness {
  readonly s3: AwsClientStub<S3Client>;
  readonly cfn: AwsClientStub<CloudFormationClient>;
  readonly recorder: Recorder;
  readonly registry: MemoryRegistry;
  /** Both handlers' `now`: the system's time until a test sets it. */
  readonly clock: ManualClock;
  readonly createDeps: CreateDeps;
  readonly deleteDeps: DeleteDeps;
  /** Files written to the user bucket: key → body. */
  written(): Record<string, string>;
  /** Keys deleted from the user bucket. */
  deleted(): string[];
  restore(): void;
}

/** The options a harness is built with. */
export interface HarnessOptions {
  readonly policy?: DeploymentPolicy;
  readonly templateFixture?: string;
  readonly instanceIp?: string;
}

const testClientConfig = {
  region: "eu-west-2",
  credentials: { accessKeyId: "a", secretAccessKey: "s" },
};

/** The environment both handlers decode, as a deployment sets it. */
const harnessEnvironment: CreateEnvironment = {
  AWS_REGION: "eu-west-2",
  FD_USER_BUCKET: USER_BUCKET,
  FD_CUSTOMIZER_BUCKET: CUSTOMIZER_BUCKET,
  FD_POLICY_KEY: "flightdeck/policy.json",
  FD_TEMPLATE_KEY: "flightdeck/templates/cluster-abc.json",
  FD_SERVICE_ROLE_ARN: SERVICE_ROLE,
  FD_REGISTRY_TABLE: "fd-clusters",
};

/** S3 as a fresh deployment answers: writes succeed, alice is provisioned, no object exists. */
function givenEmptyBucket(s3: AwsClientStub<S3Client>): void {
  s3.on(PutObjectCommand).resolves({});
  s3.on(DeleteObjectCommand).resolves({});
  s3.on(DeleteObjectsCommand).resolves({});
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) => ({
    Contents:
      input.Prefix === "customizer/alice/configure.d/user.sh" ? [{ Key: input.Prefix }] : [],
  }));
  s3.on(GetObjectCommand).rejects(Object.assign(new Error("NoSuchKey"), { name: "NoSuchKey" }));
}

/** The keys deleted from the user bucket, single deletes and batched ones, in the order sent. */
function deletedKeys(s3: AwsClientStub<S3Client>): string[] {
  return s3
    .calls()
    .flatMap(({ args: [command] }) =>
      command instanceof DeleteObjectCommand
        ? [command.input.Key ?? ""]
        : command instanceof DeleteObjectsCommand
          ? (command.input.Delete?.Objects ?? []).map((o) => o.Key ?? "")
          : [],
    );
}

/** Builds both handlers' dependencies over mocked clients, with a provisioned alice by default. */
export function harness(options: HarnessOptions = {}): Harness {
  const s3Client = new S3Client(testClientConfig);
  const cfnClient = new CloudFormationClient(testClientConfig);
  const s3 = mockClient(s3Client);
  const cfn = mockClient(cfnClient);
  const recorder = new Recorder();
  const policy = options.policy ?? basePolicy({ users: { alice: { email: "alice@example.org" } } });
  const template = rightOf(
    decodeTemplate(fixtureJson(options.templateFixture ?? "templates/seed-like.json")),
  );
  const home = new UserHome(s3Client, USER_BUCKET);
  const registry = new MemoryRegistry();
  const clock = manualClock();
  const deleteDeps: DeleteDeps = {
    env: harnessEnvironment,
    home,
    stacks: new Stacks(cfnClient, async () => options.instanceIp),
    deployment: async () => ({ policy, template }),
    reporter: new OutcomeReporter(home, async (notice, userEmail) => {
      recorder.notices.push({ notice, userEmail });
    }),
    registry,
    log: recorder,
    now: clock.now,
  };
  givenEmptyBucket(s3);
  return {
    s3,
    cfn,
    recorder,
    registry,
    clock,
    createDeps: { ...deleteDeps, env: harnessEnvironment, s3: s3Client },
    deleteDeps,
    written: () =>
      Object.fromEntries(
        s3
          .commandCalls(PutObjectCommand)
          .map((call) => [call.args[0].input.Key, String(call.args[0].input.Body)]),
      ),
    deleted: () => deletedKeys(s3),
    restore: () => {
      s3.restore();
      cfn.restore();
    },
  };
}

/** Has CloudFormation report fd-alice-c1 rolled back, after these resource events of its create. */
export function givenRolledBackCreate(
  h: Harness,
  ...resourceEvents: Array<Partial<StackEvent>>
): void {
  h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack("fd-alice-c1", "ROLLBACK_COMPLETE")] });
  h.cfn.on(DescribeStackEventsCommand).resolves({
    StackEvents: events(
      {
        LogicalResourceId: "fd-alice-c1",
        ResourceType: "AWS::CloudFormation::Stack",
        ResourceStatus: "CREATE_IN_PROGRESS",
      },
      ...resourceEvents,
    ),
  });
}
