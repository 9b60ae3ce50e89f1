import { expect } from "chai";
import { Testing } from "cdktf";
import { UserBucket } from "../../../stacks/storage/user-bucket.js";
import { FIXTURE_SCOPE, onlyResource, synthScope } from "../support/synth.js";

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
