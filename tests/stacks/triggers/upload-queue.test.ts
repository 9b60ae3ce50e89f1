import { expect } from "chai";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { SYSTEM_HEADROOM } from "../../../stacks/settings/upload-concurrency.js";
import { MAX_RECEIVES, UploadQueue } from "../../../stacks/triggers/upload-queue.js";
import { ACCOUNT, decide } from "../support/policies.js";
import { FIXTURE_SCOPE, onlyResource, synthScope } from "../support/synth.js";

const QUEUE_ARN = `arn:aws:sqs:eu-west-2:${ACCOUNT}:fd-create-uploads`;
const DLQ_ARN = `arn:aws:sqs:eu-west-2:${ACCOUNT}:fd-failures`;

function synthesize(reservedConcurrency: number | undefined, accountId?: string): string {
  return synthScope((scope) => {
    new UploadQueue(scope, "uploads", {
      queueName: "fd-create-uploads",
      scope: FIXTURE_SCOPE,
      bucketArn: "arn:aws:s3:::fd-users",
      ...(accountId === undefined ? {} : { accountId }),
      deadLetterQueueArn: DLQ_ARN,
      target: new LambdaFunction(scope, "fd-cf-create", {
        functionName: "fd-cf-create",
        role: `arn:aws:iam::${ACCOUNT}:role/r`,
      }),
      targetPermissions: new IamRolePolicy(scope, "permissions", { role: "r", policy: "{}" }),
      functionTimeout: 60,
      reservedConcurrency,
    });
  });
}

describe("UploadQueue", () => {
  const synthesized = synthesize(10, ACCOUNT);
  const queue = onlyResource(synthesized, "aws_sqs_queue");
  const mapping = onlyResource(synthesized, "aws_lambda_event_source_mapping");

  it("keeps uploads encrypted, hidden for six function timeouts while one runs, and parks one after three receives", () => {
    expect(queue["sqs_managed_sse_enabled"]).to.equal(true);
    expect(queue["visibility_timeout_seconds"]).to.equal(360);
    expect(JSON.parse(String(queue["redrive_policy"]))).to.deep.equal({
      deadLetterTargetArn: DLQ_ARN,
      maxReceiveCount: MAX_RECEIVES,
    });
    expect(MAX_RECEIVES).to.equal(3);
  });

  it("feeds the function one upload at a time, reporting each failure, with the reservation less the headroom", () => {
    expect(mapping["function_name"]).to.equal("${aws_lambda_function.fd-cf-create.arn}");
    expect(mapping["batch_size"]).to.equal(1);
    expect(mapping["function_response_types"]).to.deep.equal(["ReportBatchItemFailures"]);
    expect(mapping["scaling_config"]).to.deep.equal({ maximum_concurrency: 10 - SYSTEM_HEADROOM });
    expect(mapping["depends_on"]).to.deep.equal(["aws_iam_role_policy.permissions"]);
  });

  it("caps an unreserved function's uploads at 8", () => {
    const unreserved = onlyResource(
      synthesize(undefined, ACCOUNT),
      "aws_lambda_event_source_mapping",
    );
    expect(unreserved["scaling_config"]).to.deep.equal({ maximum_concurrency: 8 });
  });

  describe("its policy (simulated)", () => {
    const policy = JSON.parse(String(onlyResource(synthesized, "aws_sqs_queue_policy")["policy"]));
    const asS3 = (context: Record<string, string>, action = "sqs:SendMessage") =>
      decide(
        { Version: "2012-10-17", Statement: [] },
        {
          principal: "s3.amazonaws.com",
          action,
          resource: QUEUE_ARN,
          context: { "aws:SecureTransport": "true", ...context },
          resourcePolicy: policy,
        },
      );

    it("lets the users' bucket, in its own account, send uploads", async () => {
      expect(
        await asS3({ "aws:SourceArn": "arn:aws:s3:::fd-users", "aws:SourceAccount": ACCOUNT }),
      ).to.equal("Allowed");
    });

    it("refuses another bucket, the same bucket name in another account, and anything else S3 asks", async () => {
      expect(
        await asS3({ "aws:SourceArn": "arn:aws:s3:::other", "aws:SourceAccount": ACCOUNT }),
      ).to.equal("ImplicitlyDenied");
      expect(
        await asS3({
          "aws:SourceArn": "arn:aws:s3:::fd-users",
          "aws:SourceAccount": "999988887777",
        }),
      ).to.equal("ImplicitlyDenied");
      expect(
        await asS3(
          { "aws:SourceArn": "arn:aws:s3:::fd-users", "aws:SourceAccount": ACCOUNT },
          "sqs:ReceiveMessage",
        ),
      ).to.equal("ImplicitlyDenied");
    });

    it("refuses every send and receive without TLS", async () => {
      expect(
        await asS3({
          "aws:SourceArn": "arn:aws:s3:::fd-users",
          "aws:SourceAccount": ACCOUNT,
          "aws:SecureTransport": "false",
        }),
      ).to.equal("ExplicitlyDenied");
    });
  });

  it("takes the account from the queue's own ARN when the settings name none", () => {
    // Terraform fills the account in at apply; until then the policy holds the expression.
    const policy = String(onlyResource(synthesize(10), "aws_sqs_queue_policy")["policy"]);
    expect(policy).to.match(
      /"aws:SourceAccount":\["\$\{element\(split\(":", aws_sqs_queue\.uploads_queue_\w+\.arn\), 4\)\}"\]/,
    );
  });
});
