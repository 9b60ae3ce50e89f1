import { expect } from "chai";
import { Testing } from "cdktf";
import { PrivateBucket } from "../../../stacks/storage/private-bucket.js";
import { FIXTURE_SCOPE, onlyResource, synthScope, unescapeTerraform } from "../support/synth.js";

describe("PrivateBucket", () => {
  const synthesized = synthScope((scope) => {
    new PrivateBucket(scope, "bucket", { bucketName: "fd-private", scope: FIXTURE_SCOPE });
  });

  it("names the bucket as asked", () => {
    expect(
      Testing.toHaveResourceWithProperties(synthesized, "aws_s3_bucket", { bucket: "fd-private" }),
    ).to.equal(true);
  });

  it("encrypts every object at rest with SSE-S3", () => {
    expect(
      Testing.toHaveResourceWithProperties(
        synthesized,
        "aws_s3_bucket_server_side_encryption_configuration",
        {
          rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
        },
      ),
    ).to.equal(true);
  });

  it("blocks every kind of public access", () => {
    expect(
      Testing.toHaveResourceWithProperties(synthesized, "aws_s3_bucket_public_access_block", {
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      }),
    ).to.equal(true);
  });

  it("disables ACLs: the bucket owner owns every object", () => {
    expect(
      Testing.toHaveResourceWithProperties(synthesized, "aws_s3_bucket_ownership_controls", {
        rule: { object_ownership: "BucketOwnerEnforced" },
      }),
    ).to.equal(true);
  });

  it("denies any request that is not made over TLS, on the bucket and its objects", () => {
    const policy = JSON.parse(
      unescapeTerraform(String(onlyResource(synthesized, "aws_s3_bucket_policy")["policy"])),
    );
    expect(policy.Statement).to.deep.include({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: ["arn:aws:s3:::fd-private", "arn:aws:s3:::fd-private/*"],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("writes the bucket policy only after the public-access block exists", () => {
    const policy = onlyResource(synthesized, "aws_s3_bucket_policy");
    expect(policy["depends_on"]).to.have.length(1);
    expect(String((policy["depends_on"] as string[])[0])).to.match(
      /^aws_s3_bucket_public_access_block\./,
    );
  });
});
