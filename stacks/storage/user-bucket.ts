import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning/index.js";
import { Construct } from "constructs";
import { HOME_PREFIX, TRIGGER_SUFFIXES } from "../../functions/shared/result-files.js";
import { s3Arn, type ArnScope } from "../iam/arns.js";
import type { ResourcePolicyStatement } from "../iam/policy-document.js";
import { PrivateBucket } from "./private-bucket.js";

/** Properties of the {@link UserBucket}. */
export interface UserBucketProps {
  readonly bucketName: string;
  readonly scope: ArnScope;
  /** How long an overwritten or deleted file can still be recovered. */
  readonly noncurrentVersionDays: number;
}

/**
 * Trigger files every handler must be able to read at once: refused unless
 * stored in S3 Standard (an archived object cannot be read without a
 * restore) and without a customer-provided key (SSE-C, which the handlers
 * do not hold). Either would leave a request no read can answer.
 */
function readableTriggerStatements(scope: ArnScope, bucketName: string): ResourcePolicyStatement[] {
  const triggers = TRIGGER_SUFFIXES.map((suffix) =>
    s3Arn(scope, bucketName, `${HOME_PREFIX}*${suffix}`),
  );
  return [
    {
      Sid: "DenyTriggersOutsideStandardStorage",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:PutObject"],
      Resource: triggers,
      // Only a storage class the upload names: without one, S3 stores it in Standard. (A
      // negated ...IfExists would deny those too: for a Deny, a missing key makes it true.)
      Condition: {
        Null: { "s3:x-amz-storage-class": "false" },
        StringNotEquals: { "s3:x-amz-storage-class": "STANDARD" },
      },
    },
    {
      Sid: "DenyTriggersWithCustomerKeys",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:PutObject"],
      Resource: triggers,
      Condition: { Null: { "s3:x-amz-server-side-encryption-customer-algorithm": "false" } },
    },
  ];
}

/**
 * The bucket holding every user's `home/<user>/`. Versioned, so an
 * overwritten or deleted file is kept for `noncurrentVersionDays` before
 * it is gone: neither a user's slip nor a handler's cleanup loses data at once.
 */
export class UserBucket extends Construct {
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly bucketId: string;

  constructor(scope: Construct, id: string, props: UserBucketProps) {
    super(scope, id);
    const { bucket } = new PrivateBucket(this, "storage", {
      ...props,
      policyStatements: readableTriggerStatements(props.scope, props.bucketName),
    });
    this.bucketName = props.bucketName;
    this.bucketArn = bucket.arn;
    this.bucketId = bucket.id;
    const versioning = new S3BucketVersioningA(this, "versioning", {
      bucket: bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: bucket.id,
      dependsOn: [versioning],
      rule: [
        {
          id: "expire-old-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionDays }],
          expiration: [{ expiredObjectDeleteMarker: true }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
  }
}
