import { ListObjectsV2Command, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { resolveUser } from "../../cli/caller-identity.js";
import { UserBucket } from "../../cli/user-bucket.js";
import type { UserId } from "../../functions/shared/identifiers.js";
import { bucketOnlyAws, type LocalAws } from "../support/local-aws.js";
import { cli, localUserEnv } from "../support/run-cli.js";

/*
 * A researcher following the README's steps with
 * something missing (a region, credentials, a profile, the right bucket)
 * is told what is wrong and what to do, in one line, not the SDK's
 * symptom ("Region is missing", "CredentialsProviderError").
 */

describe("flightdeck command line: setup errors say what to do", function () {
  this.timeout(30_000);
  let home: string;
  before(() => {
    // A home with one profile, "dev", and no credentials anywhere.
    home = mkdtempSync(path.join(tmpdir(), "fd-home-"));
    mkdirSync(path.join(home, ".aws"));
    writeFileSync(path.join(home, ".aws", "config"), "[profile dev]\nregion = eu-west-2\n");
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  /** The README's user, with only the bucket set, and no instance metadata to fall back on. */
  const user = (env: Record<string, string> = {}) => ({
    HOME: home,
    FLIGHTDECK_BUCKET: "fd-users",
    AWS_EC2_METADATA_DISABLED: "true",
    ...env,
  });

  it("no region: says to set AWS_REGION or pass --region, with or without --user", async () => {
    const expected =
      "error: No AWS region: set AWS_REGION or pass --region (your administrator tells you which: the bucket's region).\n";
    for (const args of [["status"], ["--user", "alice", "status"]]) {
      const run = await cli(args, user());
      expect(run.code, args.join(" ")).to.equal(2);
      expect(run.stderr, args.join(" ")).to.equal(expected);
    }
  });

  it("no credentials: says how to get some, not CredentialsProviderError", async () => {
    const run = await cli(["status"], user({ AWS_REGION: "eu-west-2" }));
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(
      /^error: No AWS credentials found: set up a profile \(aws configure/,
    );
    expect(run.stderr).to.contain("AWS_ACCESS_KEY_ID");
    expect(run.stderr).not.to.contain("CredentialsProviderError");
  });

  it("a profile with no credentials: says to sign in with it", async () => {
    const run = await cli(["--profile", "dev", "status"], user());
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain("No AWS credentials found");
    expect(run.stderr).to.contain("aws sso login --profile dev");
  });

  it("an unknown profile: names it and where it was looked for, not the region", async () => {
    for (const [args, env] of [
      [["--profile", "nosuch", "status"], {}],
      [["status"], { AWS_PROFILE: "nosuch" }],
    ] as const) {
      const run = await cli([...args], user(env));
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(
        /^error: The profile nosuch is not in ~\/\.aws\/config or ~\/\.aws\/credentials: check its name/,
      );
      expect(run.stderr).not.to.contain("region");
    }
  });

  it("a bucket URL instead of a name: says to give the name alone", async () => {
    const run = await cli(["status"], user({ FLIGHTDECK_BUCKET: "s3://fd-users/home/alice" }));
    expect(run.code).to.equal(2);
    expect(run.stderr).to.equal(
      'error: --bucket/FLIGHTDECK_BUCKET "s3://fd-users/home/alice" is not an S3 bucket name: give the name alone, such as "fd-users".\n',
    );
  });

  describe("against S3", () => {
    let aws: LocalAws;
    before(async () => {
      aws = bucketOnlyAws();
      await aws.start();
    });
    after(async () => aws.stop());

    it("a bucket that does not exist: says so, and where the name comes from", async () => {
      const env = {
        ...localUserEnv(aws.endpoint, aws.queryEndpoint),
        FLIGHTDECK_BUCKET: "fd-nosuch",
      };
      const run = await cli(["status"], env);
      expect(run.code).to.equal(1);
      expect(run.stderr).to.equal(
        "error: There is no bucket named fd-nosuch: check --bucket or FLIGHTDECK_BUCKET (your administrator tells you the name).\n",
      );
    });
  });

  describe("S3's refusals", () => {
    const client = new S3Client({
      region: "eu-west-2",
      credentials: { accessKeyId: "a", secretAccessKey: "s" },
    });
    const s3 = mockClient(client);
    afterEach(() => s3.reset());
    const bucket = new UserBucket(client, {
      bucket: "fd-users",
      user: "alice" as UserId,
      account: "111122223333",
    });
    const refusal = (name: string, status: number, headers: Record<string, string> = {}) =>
      Object.assign(
        new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status } }),
        { $response: { statusCode: status, headers, body: undefined } },
      );

    it("a bucket that is not yours, or a home that is not: names both, and the account", async () => {
      s3.on(ListObjectsV2Command).rejects(refusal("AccessDenied", 403));
      const error = await bucket.list().then(
        () => expect.fail("listed"),
        (e: Error) => e,
      );
      expect(error.message).to.equal(
        "S3 refused access to s3://fd-users/home/alice/. Either fd-users is not your FlightDeck deployment's bucket (account 111122223333): check --bucket or FLIGHTDECK_BUCKET; or your credentials may not use home/alice/: check --user or FLIGHTDECK_USER, or ask your administrator to add you.",
      );
    });

    it("a bucket in another region: names the region to pass", async () => {
      s3.on(ListObjectsV2Command).rejects(
        refusal("PermanentRedirect", 301, { "x-amz-bucket-region": "us-east-1" }),
      );
      const error = await bucket.list().then(
        () => expect.fail("listed"),
        (e: Error) => e,
      );
      expect(error.message).to.equal(
        "The bucket fd-users is in another region: us-east-1; pass --region us-east-1 or set AWS_REGION.",
      );
    });

    it("expired credentials: says to sign in again", async () => {
      s3.on(ListObjectsV2Command).rejects(refusal("ExpiredToken", 400));
      const error = await bucket.list().then(
        () => expect.fail("listed"),
        (e: Error) => e,
      );
      expect(error.message).to.match(/^AWS refused your credentials \(ExpiredToken\)/);
    });
  });

  it("STS refusing the credentials says so, even with --user (no --user can help)", async () => {
    const client = new STSClient({
      region: "eu-west-2",
      credentials: { accessKeyId: "a", secretAccessKey: "s" },
    });
    const sts = mockClient(client);
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error("The security token included in the request is expired"), {
        name: "ExpiredToken",
      }),
    );
    for (const explicit of [undefined, "alice"]) {
      const error = await resolveUser(explicit, () => client).then(
        () => expect.fail("resolved"),
        (e: Error) => e,
      );
      expect(error.message).to.match(/^AWS refused your credentials \(ExpiredToken\)/);
    }
    sts.restore();
  });

  it("a usage error leads with the error and one line of usage, not the whole help", async () => {
    const missing = await cli(["create"]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.equal(
      "error: missing required argument 'cluster'\nUsage: flightdeck create [options] <cluster>  (more: flightdeck create --help)\n",
    );
    const unknown = await cli(["--bogus", "status"]);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr.trimEnd().split("\n")).to.have.length(2);
    const nested = await cli(["admin", "redrive", "--max"]);
    expect(nested.stderr).to.contain("(more: flightdeck admin redrive --help)");
  });
});
