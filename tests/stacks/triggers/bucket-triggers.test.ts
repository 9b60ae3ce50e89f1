import { expect } from "chai";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { BucketTriggers } from "../../../stacks/triggers/bucket-triggers.js";
import { UploadQueue } from "../../../stacks/triggers/upload-queue.js";
import { FIXTURE_SCOPE, resourcesOf, synthScope } from "../support/synth.js";

describe("BucketTriggers", () => {
  const synthesized = synthScope((scope) => {
    const queue = (handler: string) =>
      new UploadQueue(scope, `${handler}-uploads`, {
        queueName: `fd-${handler}-uploads`,
        scope: FIXTURE_SCOPE,
        bucketArn: "arn:aws:s3:::fd-users",
        accountId: "123456789012",
        deadLetterQueueArn: "arn:aws:sqs:eu-west-2:123456789012:fd-failures",
        target: new LambdaFunction(scope, `fd-cf-${handler}`, {
          functionName: `fd-cf-${handler}`,
          role: "arn:aws:iam::123456789012:role/r",
        }),
        targetPermissions: new IamRolePolicy(scope, `${handler}-permissions`, {
          role: "r",
          policy: "{}",
        }),
        functionTimeout: 60,
        reservedConcurrency: 10,
      });
    new BucketTriggers(scope, "triggers", {
      bucketId: "fd-users",
      queues: { create: queue("create"), delete: queue("delete") },
    });
  });
  const notification = Object.values(resourcesOf(synthesized, "aws_s3_bucket_notification"))[0];

  it("sends new home/….cf-create objects to cf-create's queue, ….cf-delete and ….cf-extend to cf-delete's", () => {
    const targets = (notification?.["queue"] as Array<Record<string, unknown>>).map((t) => ({
      events: t["events"],
      prefix: t["filter_prefix"],
      suffix: t["filter_suffix"],
      arn: t["queue_arn"],
    }));
    expect(targets.map((t) => [t.events, t.prefix, t.suffix])).to.have.deep.members([
      [["s3:ObjectCreated:*"], "home/", ".cf-create"],
      [["s3:ObjectCreated:*"], "home/", ".cf-delete"],
      [["s3:ObjectCreated:*"], "home/", ".cf-extend"],
    ]);
    const bySuffix = Object.fromEntries(targets.map((t) => [t.suffix, String(t.arn)]));
    expect(bySuffix[".cf-create"]).to.match(/^\$\{aws_sqs_queue\.create-uploads_queue_\w+\.arn\}$/);
    expect(bySuffix[".cf-delete"]).to.match(/^\$\{aws_sqs_queue\.delete-uploads_queue_\w+\.arn\}$/);
    expect(bySuffix[".cf-extend"]).to.equal(bySuffix[".cf-delete"]);
  });

  it("invokes no function directly: every upload goes through a queue", () => {
    expect(notification?.["lambda_function"]).to.equal(undefined);
    expect(resourcesOf(synthesized, "aws_lambda_permission")).to.deep.equal({});
  });

  it("is configured only once S3 may send to both queues", () => {
    const dependsOn = notification?.["depends_on"] as string[];
    expect(dependsOn).to.have.length(2);
    expect(dependsOn.every((d) => d.startsWith("aws_sqs_queue_policy."))).to.equal(true);
  });
});
