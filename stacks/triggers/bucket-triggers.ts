import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification/index.js";
import { Construct } from "constructs";
import { TRIGGER_FILTERS } from "../../functions/shared/trigger-filters.js";
import type { UploadQueue } from "./upload-queue.js";

/** Properties of {@link BucketTriggers}. */
export interface BucketTriggersProps {
  readonly bucketId: string;
  /** Each handler's upload queue. */
  readonly queues: { readonly create: UploadQueue; readonly delete: UploadQueue };
}

/**
 * The user bucket's one notification configuration: `home/<user>/<cluster>.cf-create` to
 * cf-create's upload queue, `.cf-delete` and `.cf-extend` to cf-delete's. Never to a
 * function directly: a queue's event source mapping caps how many executions uploads take,
 * so the functions' stack events and the sweep always find some free (see upload-queue.ts).
 */
export class BucketTriggers extends Construct {
  constructor(scope: Construct, id: string, props: BucketTriggersProps) {
    super(scope, id);
    // S3 checks it may send to each queue when the configuration is saved.
    new S3BucketNotification(this, "notification", {
      bucket: props.bucketId,
      queue: TRIGGER_FILTERS.map((filter) => ({
        id: `flightdeck-${filter.suffix.slice(1)}`,
        queueArn: props.queues[filter.handler].queue.arn,
        events: ["s3:ObjectCreated:*"],
        filterPrefix: filter.prefix,
        filterSuffix: filter.suffix,
      })),
      dependsOn: [props.queues.create.policy, props.queues.delete.policy],
    });
  }
}
