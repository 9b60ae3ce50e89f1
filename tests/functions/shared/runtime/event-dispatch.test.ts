import { expect } from "chai";
import { dispatch, RecordsFailed } from "../../../../functions/shared/runtime/event-dispatch.js";
import type { S3EventRecord } from "../../../../functions/shared/s3-event.js";
import { Recorder, s3Record, statusEvent } from "../../../support/handler-harness.js";
import { fixtureJson } from "../../../support/fixtures.js";
import { queueEvent } from "../../../support/upload-queue.js";

describe("event dispatch", () => {
  it("handles every record of an S3 event, not only the first", async () => {
    const seen: string[] = [];
    const event = {
      Records: [s3Record("home/alice/a.cf-create"), s3Record("home/alice/b.cf-create")],
    };
    await dispatch(
      event,
      {
        s3Record: async (r) => void seen.push(r.s3.object.key),
        stackStatus: async () => undefined,
      },
      new Recorder(),
    );
    expect(seen).to.deep.equal(["home/alice/a.cf-create", "home/alice/b.cf-create"]);
  });

  it("lets later records run when one throws, then fails the invocation so Lambda retries", async () => {
    const seen: string[] = [];
    const log = new Recorder();
    const routes = {
      s3Record: async (r: S3EventRecord) => {
        seen.push(r.s3.object.key);
        if (r.s3.object.key.includes("a."))
          throw Object.assign(new Error("slow down"), { name: "SlowDown" });
      },
      stackStatus: async () => undefined,
    };
    const event = {
      Records: [s3Record("home/alice/a.cf-create"), s3Record("home/alice/b.cf-create")],
    };
    let thrown: unknown;
    await dispatch(event, routes, log).catch((e: unknown) => (thrown = e));
    expect(thrown).to.be.instanceOf(RecordsFailed);
    expect(seen).to.have.length(2);
    expect(log.lines[0]).to.deep.include({
      level: "error",
      message: "record failed; the event will be retried",
    });
    expect(log.lines[0]?.extra).to.include({ transient: true, errorName: "SlowDown" });
  });

  it("skips records that are not object creations", async () => {
    const log = new Recorder();
    const removed = { ...s3Record("home/alice/a.cf-create"), eventName: "ObjectRemoved:Delete" };
    await dispatch(
      { Records: [removed, { eventSource: "aws:sqs" }] },
      { s3Record: async () => expect.fail(), stackStatus: async () => expect.fail() },
      log,
    );
    expect(log.messages()).to.deep.equal([
      "record is not an S3 object creation; ignored",
      "record is not an S3 object creation; ignored",
    ]);
  });

  it("routes a stack status event", async () => {
    let status = "";
    await dispatch(
      fixtureJson("events/stack-create-complete.json"),
      {
        s3Record: async () => expect.fail(),
        stackStatus: async (e) => void (status = e.detail["status-details"].status),
      },
      new Recorder(),
    );
    expect(status).to.equal("CREATE_COMPLETE");
    await dispatch(
      statusEvent("fd-alice-c1", "DELETE_COMPLETE"),
      {
        s3Record: async () => expect.fail(),
        stackStatus: async (e) => void (status = e.detail["status-details"].status),
      },
      new Recorder(),
    );
    expect(status).to.equal("DELETE_COMPLETE");
  });

  it("logs and ignores anything else", async () => {
    const log = new Recorder();
    await dispatch(
      { hello: "world" },
      { s3Record: async () => expect.fail(), stackStatus: async () => expect.fail() },
      log,
    );
    expect(log.lines[0]?.level).to.equal("warn");
  });

  it("sends EventBridge's scheduled event to the sweep, and ignores it where there is none", async () => {
    const tick = { source: "aws.events", "detail-type": "Scheduled Event", detail: {} };
    let swept = 0;
    const routes = { s3Record: async () => undefined, stackStatus: async () => undefined };
    await dispatch(tick, { ...routes, scheduled: async () => void (swept += 1) }, new Recorder());
    expect(swept).to.equal(1);
    const log = new Recorder();
    await dispatch(tick, routes, log);
    // A look-alike from another source is not a tick.
    await dispatch(
      { ...tick, source: "mallory" },
      { ...routes, scheduled: async () => void (swept += 1) },
      log,
    );
    expect(swept).to.equal(1);
  });

  describe("a batch from an upload queue", () => {
    const seenBy = (seen: string[], failOn?: string) => ({
      s3Record: async (r: S3EventRecord) => {
        seen.push(r.s3.object.key);
        if (failOn !== undefined && r.s3.object.key.includes(failOn))
          throw Object.assign(new Error("slow down"), { name: "SlowDown" });
      },
      stackStatus: async () => expect.fail(),
    });
    /** One batch of several messages, as a mapping with a larger batch size would send. */
    const batch = (...messages: Array<[string, unknown[]]>) => ({
      Records: messages.flatMap(
        ([id, records]) => (queueEvent(records, id) as { Records: unknown[] }).Records,
      ),
    });

    it("runs every upload in every message and reports none failed", async () => {
      const seen: string[] = [];
      const response = await dispatch(
        batch(
          ["m1", [s3Record("home/alice/a.cf-create")]],
          ["m2", [s3Record("home/bob/b.cf-create"), s3Record("home/bob/c.cf-create")]],
        ),
        seenBy(seen),
        new Recorder(),
      );
      expect(seen).to.deep.equal([
        "home/alice/a.cf-create",
        "home/bob/b.cf-create",
        "home/bob/c.cf-create",
      ]);
      expect(response).to.deep.equal({ batchItemFailures: [] });
    });

    it("names only the message that failed, so SQS delivers it alone again, and never throws", async () => {
      const seen: string[] = [];
      const log = new Recorder();
      const response = await dispatch(
        batch(
          ["m1", [s3Record("home/alice/a.cf-create")]],
          ["m2", [s3Record("home/bob/b.cf-create")]],
          ["m3", [s3Record("home/carol/c.cf-create")]],
        ),
        seenBy(seen, "bob"),
        log,
      );
      expect(seen).to.have.length(3);
      expect(response).to.deep.equal({ batchItemFailures: [{ itemIdentifier: "m2" }] });
      expect(log.lines[0]?.extra).to.include({ key: "home/bob/b.cf-create", transient: true });
    });

    it("drops S3's test event, a body that is not JSON, and a record that is not a message", async () => {
      const log = new Recorder();
      const testEvent = {
        Service: "Amazon S3",
        Event: "s3:TestEvent",
        Time: "2026-12-06T10:00:00.000Z",
        Bucket: "fdtest-users",
      };
      const [message] = (queueEvent([], "m1") as { Records: Array<Record<string, unknown>> })
        .Records;
      const response = await dispatch(
        {
          Records: [
            { ...message, messageId: "t1", body: JSON.stringify(testEvent) },
            { ...message, messageId: "t2", body: "{not json" },
            { eventSource: "aws:sqs" },
          ],
        },
        { s3Record: async () => expect.fail(), stackStatus: async () => expect.fail() },
        log,
      );
      expect(response).to.deep.equal({ batchItemFailures: [] });
      expect(log.messages()).to.deep.equal([
        "queue message holds no S3 records (S3's test event); dropped",
        "queue message is not JSON; dropped",
        "queue record is not an SQS message; ignored",
      ]);
    });

    it("runs an S3 notification that invokes the function itself, without a queue", async () => {
      const seen: string[] = [];
      const response = await dispatch(
        { Records: [s3Record("home/alice/a.cf-create")] },
        seenBy(seen),
        new Recorder(),
      );
      expect(seen).to.deep.equal(["home/alice/a.cf-create"]);
      expect(response).to.equal(undefined);
    });
  });
});
