import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { parseFailureBody } from "../../../functions/shared/result-files.js";
import { LocalAws, USER_BUCKET, type LocalAwsOptions } from "../../support/local-aws.js";
import { deliverUpload } from "../../support/upload-queue.js";

/*
 * One FlightDeck on loopback for a hostile case: the built bundles, s3rver,
 * the fake CloudFormation (with a realistic per-call latency when a case
 * needs one) and dynalite. Other users' homes are seeded with files, so a
 * case can prove none of them changed.
 */

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export const TEMPLATE = JSON.parse(readFileSync("template/cluster.json", "utf8")) as unknown;

/** The deployment policy hostile cases start from; `overrides` replace whole top-level fields. */
export function hostilePolicy(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    stackPrefix: "fd",
    customizer: { bucket: "fd-customizer", prefix: "customizer" },
    defaults: { AccessNetwork: "203.0.113.0/24" },
    limits: { maxClusters: 2, maxComputeNodes: 32, maxSpotPrice: "0.50", maxVcpus: 64 },
    users: { alice: { email: "alice@example.org" }, bob: {}, carol: {} },
    tags: { Project: "hostile" },
    deployment: "fdtest",
    userBucket: "fd-users",
    nodePermissionsBoundary: "arn:aws:iam::111122223333:policy/flightdeck/fdtest-node-boundary",
    ...overrides,
  };
}

/** Files the other users already have, which no case may change. */
const BYSTANDER_FILES: Readonly<Record<string, string>> = {
  "home/bob/c1.cf-created": "198.51.100.20\n",
  "home/bob/c2.cf-create": '{"ComputeMaxNodes": 2}',
  "home/carol/notes.txt": "carol's own notes\n",
  "home/carol/big.cf-failed": 'FlightDeck could not create cluster "big":\n',
  "customizer/alice/configure.d/user.sh": "#!/bin/bash\n",
};

export class HostileWorld {
  readonly aws: LocalAws;

  constructor(options: Partial<LocalAwsOptions> = {}) {
    this.aws = new LocalAws({
      policy: hostilePolicy(),
      template: TEMPLATE,
      provisioned: ["alice", "bob", "carol"],
      notify: true,
      captureLogs: true,
      ...options,
    });
  }

  async start(): Promise<this> {
    await this.aws.start();
    for (const [key, body] of Object.entries(BYSTANDER_FILES)) {
      await this.aws.put(USER_BUCKET, key, body);
    }
    this.aws.s3Events.length = 0;
    return this;
  }

  async stop(): Promise<void> {
    await this.aws.stop();
  }

  /** Back to how {@link start} left it, with the same servers and handlers (see LocalAws.reset). */
  async reset(): Promise<void> {
    await this.aws.reset();
    for (const [key, body] of Object.entries(BYSTANDER_FILES)) {
      await this.aws.put(USER_BUCKET, key, body);
    }
    this.aws.s3Events.length = 0;
  }

  /**
   * Uploads a file and delivers its S3 event through the upload queue to the
   * handler the notification routes it to (or to `handler`, for a key no
   * filter routes).
   */
  async upload(key: string, body: string | Uint8Array, handler?: Handler): Promise<void> {
    const event = await this.aws.upload(key, body as string);
    if (handler === undefined) await this.aws.deliver(event);
    else await deliverUpload(handler, event, this.aws.context());
  }

  /** Every object in the users' bucket outside `home/<user>/`, with its body. */
  async outside(user: string): Promise<Map<string, string>> {
    const listing = await this.aws.s3.send(new ListObjectsV2Command({ Bucket: USER_BUCKET }));
    const files = new Map<string, string>();
    for (const object of listing.Contents ?? []) {
      const key = object.Key ?? "";
      if (key.startsWith(`home/${user}/`)) continue;
      const got = await this.aws.s3.send(new GetObjectCommand({ Bucket: USER_BUCKET, Key: key }));
      files.set(key, (await got.Body?.transformToString()) ?? "");
    }
    return files;
  }

  /** Runs `act` as `user` and fails if anything outside their home changed meanwhile. */
  async asUser(user: string, act: () => Promise<unknown>): Promise<void> {
    const before = await this.outside(user);
    await act();
    await this.aws.settled();
    const after = await this.outside(user);
    expect([...after.entries()], `nothing outside home/${user}/ changes`).to.deep.equal([
      ...before.entries(),
    ]);
  }

  /** The user's home: file name → body. */
  home(user: string): Promise<Record<string, string>> {
    return this.aws.home(user);
  }

  /** The reasons in `home/<user>/<cluster>.cf-failed`, failing if there is no such file. */
  async failure(user: string, cluster: string): Promise<readonly string[]> {
    const body = (await this.home(user))[`${cluster}.cf-failed`];
    expect(body, `${cluster}.cf-failed in home/${user}/`).to.be.a("string");
    return parseFailureBody(body ?? "")?.reasons ?? [body ?? ""];
  }

  /** Live stacks in the fake CloudFormation whose name starts with `prefix`. */
  liveStacks(prefix = "fd-"): string[] {
    return this.aws.cfn
      .liveStacks()
      .map((s) => s.name)
      .filter((name) => name.startsWith(prefix));
  }

  /** Fails unless a handler logged a line whose message matches `pattern`. */
  expectLogged(pattern: RegExp): void {
    const messages = this.aws.logs.map((l) => String(l["message"]));
    expect(
      messages.some((m) => pattern.test(m)),
      `a log line matching ${pattern} among ${JSON.stringify(messages)}`,
    ).to.equal(true);
  }
}
