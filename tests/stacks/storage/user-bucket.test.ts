import { expect } from "chai";
import { Testing } from "cdktf";
import { UserBucket } from "../../../stacks/storage/user-bucket.js";
import { ACCOUNT, decide, identityPolicy, policiesIn } from "../support/policies.js";
import { FIXTURE_SCOPE, onlyResource, synthFlightDeck, synthScope } from "../support/synth.js";

describe("UserBucket", () => {
  const synthesized = synthScope((scope) => {
    new UserBucket(scope, "users", {
      bucketName: "fd-users",
      scope: FIXTURE_SCOPE,
      noncurrentVersionDays: 45,
    });
  });

  it("is a private bucket: encrypted, public access blocked, TLS only", () => {
    expect(
      Testing.toHaveResource(synthesized, "aws_s3_bucket_server_side_encryption_configuration"),
    ).to.equal(true);
    expect(Testing.toHaveResource(synthesized, "aws_s3_bucket_public_access_block")).to.equal(true);
    expect(Testing.toHaveResource(synthesized, "aws_s3_bucket_policy")).to.equal(true);
  });

  it("keeps versions, so an overwritten or deleted file can be recovered", () => {
    expect(
      Testing.toHaveResourceWithProperties(synthesized, "aws_s3_bucket_versioning", {
        versioning_configuration: { status: "Enabled" },
      }),
    ).to.equal(true);
  });

  it("expires old versions after the configured number of days, not at once", () => {
    expect(
      Testing.toHaveResourceWithProperties(synthesized, "aws_s3_bucket_lifecycle_configuration", {
        rule: [
          {
            id: "expire-old-versions",
            status: "Enabled",
            noncurrent_version_expiration: [{ noncurrent_days: 45 }],
            expiration: [{ expired_object_delete_marker: true }],
            abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
          },
        ],
      }),
    ).to.equal(true);
  });

  it("applies the lifecycle only once versioning is on", () => {
    const lifecycle = onlyResource(synthesized, "aws_s3_bucket_lifecycle_configuration");
    expect(
      (lifecycle["depends_on"] as string[]).some((d) => d.startsWith("aws_s3_bucket_versioning.")),
    ).to.equal(true);
  });
});

describe("the users' bucket policy with the users' policy (simulated)", () => {
  const synthesized = synthFlightDeck();
  const identity = identityPolicy(synthesized, "fdtest-user-access");
  const bucketPolicy = policiesIn(synthesized).find(
    (p) => p.kind === "resource" && p.owner.includes("user-bucket"),
  )?.document;
  const users = "arn:aws:s3:::fdtest-users-123456789012-eu-west-2";
  const put = (key: string, context: Record<string, string> = {}) => {
    if (bucketPolicy === undefined) throw new Error("no bucket policy for the users' bucket");
    return decide(identity, {
      principal: `arn:aws:iam::${ACCOUNT}:user/alice`,
      action: "s3:PutObject",
      resource: `${users}/${key}`,
      context: { "aws:username": "alice", "aws:SecureTransport": "true", ...context },
      resourcePolicy: bucketPolicy,
    });
  };

  it("lets a trigger in S3 Standard through, named or not", async () => {
    expect(await put("home/alice/c1.cf-create")).to.equal("Allowed");
    expect(await put("home/alice/c1.cf-create", { "s3:x-amz-storage-class": "STANDARD" })).to.equal(
      "Allowed",
    );
  });

  it("refuses a trigger in any other storage class, or with a customer key", async () => {
    for (const suffix of [".cf-create", ".cf-delete", ".cf-extend"]) {
      for (const storageClass of ["GLACIER", "DEEP_ARCHIVE", "GLACIER_IR", "INTELLIGENT_TIERING"]) {
        expect(
          await put(`home/alice/c1${suffix}`, { "s3:x-amz-storage-class": storageClass }),
          `${suffix} ${storageClass}`,
        ).to.equal("ExplicitlyDenied");
      }
      expect(
        await put(`home/alice/c1${suffix}`, {
          "s3:x-amz-server-side-encryption-customer-algorithm": "AES256",
        }),
        `${suffix} SSE-C`,
      ).to.equal("ExplicitlyDenied");
    }
  });

  it("leaves a user's other files alone: results may be archived", async () => {
    expect(
      await put("home/alice/results/c1/data.tar", { "s3:x-amz-storage-class": "GLACIER" }),
    ).to.equal("Allowed");
  });
});
