import { expect } from "chai";
import { Testing } from "cdktf";
import { DeadLetterQueue } from "../../../stacks/functions/dead-letter-queue.js";
import { FIXTURE_SCOPE, onlyResource, synthScope } from "../support/synth.js";

describe("DeadLetterQueue", () => {
  const synthesized = synthScope((scope) => {
    const queue = new DeadLetterQueue(scope, "dlq", {
      queueName: "fd-failures",
      scope: FIXTURE_SCOPE,
    });
    queue.acceptUndeliveredEventsFrom(["arn:aws:events:eu-west-2:123456789012:rule/fd-created"]);
  });

  it("is encrypted at rest and keeps messages for 14 days", () => {
    expect(
      Testing.toHaveResourceWithProperties(synthesized, "aws_sqs_queue", {
        name: "fd-failures",
        sqs_managed_sse_enabled: true,
        message_retention_seconds: 1209600,
      }),
    ).to.equal(true);
  });

  it("accepts undelivered events from the listed rules only, over TLS", () => {
    const policy = JSON.parse(String(onlyResource(synthesized, "aws_sqs_queue_policy")["policy"]));
    const [allow, deny] = policy.Statement;
    expect(allow.Principal).to.deep.equal({ Service: "events.amazonaws.com" });
    expect(allow.Action).to.deep.equal(["sqs:SendMessage"]);
    expect(allow.Condition).to.deep.equal({
      ArnEquals: { "aws:SourceArn": ["arn:aws:events:eu-west-2:123456789012:rule/fd-created"] },
    });
    expect(deny.Effect).to.equal("Deny");
    expect(deny.Condition).to.deep.equal({ Bool: { "aws:SecureTransport": "false" } });
  });
});
