import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket/index.js";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy/index.js";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js";
import { Construct } from "constructs";
import { s3Arn, type ArnScope } from "../iam/arns.js";
import {
  policyDocument,
  policyJson,
  type ResourcePolicyStatement,
} from "../iam/policy-document.js";

/** Properties of a {@link PrivateBucket}. */
export interface PrivateBucketProps {
  readonly bucketName: string;
  readonly scope: ArnScope;
  /** More statements for the bucket policy, after the TLS-only one. */
  readonly policyStatements?: readonly ResourcePolicyStatement[];
}

/** The bucket policy statement refusing any request not made over TLS. */
function denyInsecureTransport(scope: ArnScope, bucketName: string): ResourcePolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: ["s3:*"],
    Resource: [s3Arn(scope, bucketName), s3Arn(scope, bucketName, "*")],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * An S3 bucket nobody outside the account can reach: encrypted at rest
 * (SSE-S3, so readers need no KMS grants), every public-access block on,
 * ACLs disabled (BucketOwnerEnforced) and non-TLS requests denied.
 */
export class PrivateBucket extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "bucket", { bucket: props.bucketName });
    const bucket = this.bucket.id;
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, "public-access", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    // After the public-access block, so the policy is never checked against a bucket without one.
    new S3BucketPolicy(this, "policy", {
      bucket,
      policy: policyJson(
        policyDocument([
          denyInsecureTransport(props.scope, props.bucketName),
          ...(props.policyStatements ?? []),
        ]),
      ),
      dependsOn: [publicAccess],
    });
  }
}
