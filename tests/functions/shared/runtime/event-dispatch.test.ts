import { expect } from "chai";
import { dispatch, RecordsFailed } from "../../../../functions/shared/runtime/event-dispatch.js";
import type { S3EventRecord } from "../../../../functions/shared/s3-event.js";
import { Recorder, s3Record, statusEvent } from "../../../support/handler-harness.js";
import { fixtureJson } from "../../../support/fixtures.js";

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
});
