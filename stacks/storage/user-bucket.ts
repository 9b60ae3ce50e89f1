import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning/index.js";
import { Construct } from "constructs";
import type { ArnScope } from "../iam/arns.js";
import { PrivateBucket } from "./private-bucket.js";

/** Properties of the {@link UserBucket}. */
export interface UserBucketProps {
  readonly bucketName: string;
  readonly scope: ArnScope;
  /** How long an overwritten or deleted file can still be recovered. */
  readonly noncurrentVersionDays: number;
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
    const { bucket } = new PrivateBucket(this, "storage", props);
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
