import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission/index.js";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification/index.js";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { TRIGGER_FILTERS } from "./trigger-filters.js";

/** Properties of {@link BucketTriggers}. */
export interface BucketTriggersProps {
  readonly bucketId: string;
  readonly bucketArn: string;
  /** The account that owns the bucket; `undefined` takes it from the function's ARN. */
  readonly accountId?: string;
  readonly handlers: { readonly create: LambdaFunction; readonly delete: LambdaFunction };
}

/**
 * The user bucket's one notification configuration: `home/<user>/<cluster>.cf-create` to
 * cf-create, `.cf-delete` and `.cf-extend` to cf-delete, each function allowed by a Lambda
 * permission tied to this bucket and its account.
 */
export class BucketTriggers extends Construct {
  constructor(scope: Construct, id: string, props: BucketTriggersProps) {
    super(scope, id);
    // One permission per function, however many filters send to it.
    const targets = [...new Set(TRIGGER_FILTERS.map((filter) => filter.handler))];
    const permissions = targets.map((handler) => {
      const target = props.handlers[handler];
      return new LambdaPermission(this, `allow-${handler}`, {
        action: "lambda:InvokeFunction",
        functionName: target.functionName,
        principal: "s3.amazonaws.com",
        sourceArn: props.bucketArn,
        // A bucket name can be re-registered by another account once deleted;
        // pinning the account stops such a bucket from invoking the function.
        // Without a configured id, the function's own ARN names the account
        // (known after apply, never read from AWS at plan time).
        sourceAccount: props.accountId ?? Fn.element(Fn.split(":", target.arn), 4),
      });
    });
    // S3 checks it may invoke each function when the configuration is saved.
    new S3BucketNotification(this, "notification", {
      bucket: props.bucketId,
      lambdaFunction: TRIGGER_FILTERS.map((filter) => ({
        id: `flightdeck-${filter.suffix.slice(1)}`,
        lambdaFunctionArn: props.handlers[filter.handler].arn,
        events: ["s3:ObjectCreated:*"],
        filterPrefix: filter.prefix,
        filterSuffix: filter.suffix,
      })),
      dependsOn: permissions,
    });
  }
}
