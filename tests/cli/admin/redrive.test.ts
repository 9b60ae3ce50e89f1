import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { functionsOfQueue, replayOf } from "../../../cli/admin/dead-letter-message.js";
import { redrive } from "../../../cli/admin/redrive.js";
import { LocalAws } from "../../support/local-aws.js";
import { hostilePolicy, TEMPLATE } from "../../hostile/support/hostile-world.js";

const QUEUE = "https://sqs.eu-west-2.amazonaws.com/123456789012/fdtest-handler-failures";
const FUNCTIONS = ["fdtest-cf-create", "fdtest-cf-delete"];
const arn = (name: string) => `arn:aws:lambda:eu-west-2:123456789012:function:${name}`;
const s3Event = {
  Records: [{ eventSource: "aws:s3", s3: { object: { key: "home/alice/c1.cf-create" } } }],
};
const stackEvent = {
  source: "aws.cloudformation",
  "detail-type": "CloudFormation Stack Status Change",
  detail: { "stack-id": "arn:aws:cloudformation:eu-west-2:123456789012:stack/fd-alice-c1/x" },
};

/** A Lambda on-failure destination record, as Lambda writes it to the queue. */
const lambdaRecord = (id: string, fn: string, payload: unknown): Message => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: JSON.stringify({
    version: "1.0",
    requestContext: {
      requestId: id,
      functionArn: `${arn(fn)}:$LATEST`,
      condition: "RetriesExhausted",
      approximateInvokeCount: 3,
    },
    requestPayload: payload,
    responseContext: { statusCode: 200, functionError: "Unhandled" },
  }),
});

/** An event EventBridge could not deliver: the event itself, the target in an attribute. */
const eventBridgeRecord = (id: string, fn: string, event: unknown): Message => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: JSON.stringify(event),
  MessageAttributes: { TARGET_ARN: { DataType: "String", StringValue: arn(fn) } },
});

describe("flightdeck admin redrive", () => {
  // These two instances are mocked, not the classes: a class-wide mock would catch other suites' clients.
  const sqsClient = new SQSClient({ region: "eu-west-2" });
  const lambdaClient = new LambdaClient({ region: "eu-west-2" });
  const sqs = mockClient(sqsClient);
  const lambda = mockClient(lambdaClient);
  afterEach(() => {
    sqs.reset();
    lambda.reset();
  });
  after(() => {
    sqs.restore();
    lambda.restore();
  });
  const options = { queueUrl: QUEUE, functions: FUNCTIONS, max: 100, dryRun: false };

  it("knows the deployment's two functions from its queue's name", () => {
    expect(functionsOfQueue(QUEUE)).to.deep.equal(FUNCTIONS);
    expect(functionsOfQueue("https://sqs.eu-west-2.amazonaws.com/1/other")).to.equal(undefined);
  });

  it("reads both kinds of dead letter, and refuses any other function", () => {
    expect(
      replayOf(
        { body: lambdaRecord("1", "fdtest-cf-create", s3Event).Body ?? "", attributes: {} },
        FUNCTIONS,
      ),
    ).to.deep.equal({
      kind: "replay",
      functionName: "fdtest-cf-create",
      payload: JSON.stringify(s3Event),
    });
    expect(
      replayOf(
        { body: JSON.stringify(stackEvent), attributes: { TARGET_ARN: arn("fdtest-cf-delete") } },
        FUNCTIONS,
      ),
    ).to.deep.include({ kind: "replay", functionName: "fdtest-cf-delete" });
    expect(
      replayOf(
        { body: lambdaRecord("1", "payroll", s3Event).Body ?? "", attributes: {} },
        FUNCTIONS,
      ),
    ).to.deep.include({
      kind: "leave",
    });
    expect(replayOf({ body: "not json", attributes: {} }, FUNCTIONS).kind).to.equal("leave");
  });

  it("reads an upload its queue parked by the key's suffix, as the bucket's notification routes it", () => {
    const upload = (...keys: string[]) =>
      JSON.stringify({
        Records: keys.map((key) => ({ eventSource: "aws:s3", s3: { object: { key } } })),
      });
    const replay = (body: string) => replayOf({ body, attributes: {} }, FUNCTIONS);
    expect(replay(upload("home/alice/c1.cf-create"))).to.deep.equal({
      kind: "replay",
      functionName: "fdtest-cf-create",
      payload: upload("home/alice/c1.cf-create"),
    });
    expect(replay(upload("home/alice/c1.cf-delete"))).to.deep.include({
      functionName: "fdtest-cf-delete",
    });
    expect(replay(upload("home/alice/c1.cf-extend"))).to.deep.include({
      functionName: "fdtest-cf-delete",
    });
    // A key no filter sends anywhere, records for both functions, or none: left for a person.
    for (const body of [
      upload("home/alice/c1.cf-created"),
      upload("other/alice/c1.cf-create"),
      upload("home/alice/c1.cf-create", "home/alice/c1.cf-delete"),
      upload(),
    ]) {
      expect(replay(body), body).to.deep.include({ kind: "leave" });
    }
  });

  it("invokes each original event asynchronously, then deletes its message", async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          lambdaRecord("m1", "fdtest-cf-create", s3Event),
          eventBridgeRecord("m2", "fdtest-cf-delete", stackEvent),
        ],
      })
      .resolves({ Messages: [] });
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const report = await redrive(sqsClient, lambdaClient, options);
    expect(report.replayed.map((r) => r.functionName)).to.deep.equal(FUNCTIONS);
    const invokes = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
    expect(invokes.map((i) => [i.FunctionName, i.InvocationType])).to.deep.equal([
      ["fdtest-cf-create", "Event"],
      ["fdtest-cf-delete", "Event"],
    ]);
    expect(JSON.parse(new TextDecoder().decode(invokes[0]?.Payload as Uint8Array))).to.deep.equal(
      s3Event,
    );
    expect(
      sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle),
    ).to.deep.equal(["rh-m1", "rh-m2"]);
  });

  it("keeps a message Lambda refused, or one for another function, in the queue", async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          lambdaRecord("m1", "fdtest-cf-create", s3Event),
          lambdaRecord("m2", "payroll", s3Event),
        ],
      })
      .resolves({ Messages: [] });
    lambda.on(InvokeCommand).resolves({ StatusCode: 429 });
    const report = await redrive(sqsClient, lambdaClient, options);
    expect(report.left.map((l) => l.messageId)).to.deep.equal(["m1", "m2"]);
    expect(sqs.commandCalls(DeleteMessageCommand)).to.have.length(0);
    expect(lambda.commandCalls(InvokeCommand)).to.have.length(1);
  });

  it("invokes and deletes nothing in a dry run", async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [lambdaRecord("m1", "fdtest-cf-create", s3Event)] })
      .resolves({ Messages: [] });
    const report = await redrive(sqsClient, lambdaClient, { ...options, dryRun: true });
    expect(report.replayed).to.have.length(1);
    expect(lambda.commandCalls(InvokeCommand)).to.have.length(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).to.have.length(0);
  });

  it("replays a dead-lettered create into exactly one stack, even replayed twice (built bundle)", async function () {
    this.timeout(30_000);
    const aws = new LocalAws({
      policy: hostilePolicy(),
      template: TEMPLATE,
      provisioned: ["alice"],
      notify: false,
    });
    await aws.start();
    try {
      aws.cfn.fail("CreateStack", "Throttling", 4);
      const event = {
        Records: [await aws.upload("home/alice/c1.cf-create", '{"ComputeSpotPrice": "0.10"}')],
      };
      const failed = await aws.createHandler(event, aws.context()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failed, "the first delivery fails and is dead-lettered").to.be.instanceOf(Error);
      // The queue holds it twice: the redrive's first invoke was accepted, then it crashed before deleting.
      sqs
        .on(ReceiveMessageCommand)
        .resolvesOnce({ Messages: [lambdaRecord("m1", "fdtest-cf-create", event)] })
        .resolvesOnce({ Messages: [lambdaRecord("m1-again", "fdtest-cf-create", event)] })
        .resolves({ Messages: [] });
      lambda.on(InvokeCommand).callsFake(async (input: { Payload: Uint8Array }) => {
        await aws.createHandler(JSON.parse(new TextDecoder().decode(input.Payload)), aws.context());
        return { StatusCode: 202 };
      });
      const report = await redrive(sqsClient, lambdaClient, options);
      expect(report.replayed).to.have.length(2);
      expect(aws.cfn.liveStacks().map((s) => s.name)).to.deep.equal(["fd-alice-c1"]);
    } finally {
      await aws.stop();
    }
  });
});
