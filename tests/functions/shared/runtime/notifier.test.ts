import { SendEmailCommand, SESClient } from "@aws-sdk/client-ses";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { createNotifier } from "../../../../functions/shared/runtime/notifier.js";
import { Recorder } from "../../../support/handler-harness.js";

const notice = { subject: "[FlightDeck] alice/c1 is ready at 1.2.3.4", text: "ready" };

describe("notifier", () => {
  // One client instance, mocked: a class-wide mock would catch other suites' SES clients too.
  const client = new SESClient({ region: "eu-west-1" });
  const ses = mockClient(client);
  let regions: string[] = [];
  const clientFor = (region: string) => {
    regions.push(region);
    return client;
  };
  afterEach(() => {
    ses.reset();
    regions = [];
  });
  after(() => ses.restore());

  it("is off when no sender is configured", async () => {
    await createNotifier(
      { AWS_REGION: "eu-west-2", FD_NOTIFY_ADMIN: "admin@example.org" },
      new Recorder(),
      clientFor,
    )(notice, "alice@example.org");
    expect(ses.commandCalls(SendEmailCommand)).to.have.length(0);
  });

  it("emails the admin and the user from the configured sender", async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: "m1" });
    const log = new Recorder();
    const notify = createNotifier(
      {
        AWS_REGION: "eu-west-2",
        FD_NOTIFY_FROM: "flightdeck@example.org",
        FD_NOTIFY_ADMIN: "admin@example.org",
        FD_SES_REGION: "eu-west-1",
      },
      log,
      clientFor,
    );
    await notify(notice, "alice@example.org");
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.Source).to.equal("flightdeck@example.org");
    expect(input?.Destination?.ToAddresses).to.deep.equal([
      "admin@example.org",
      "alice@example.org",
    ]);
    expect(input?.Message?.Subject?.Data).to.equal(notice.subject);
    // SES's own region, not the functions': SES is not in every region.
    expect(regions).to.deep.equal(["eu-west-1"]);
  });

  it("logs an SES outage and never throws", async () => {
    ses
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error("Service unavailable"), { name: "ServiceUnavailable" }));
    const log = new Recorder();
    await createNotifier(
      {
        AWS_REGION: "eu-west-2",
        FD_NOTIFY_FROM: "flightdeck@example.org",
        FD_NOTIFY_ADMIN: "admin@example.org",
      },
      log,
      clientFor,
    )(notice, undefined);
    expect(log.lines[0]).to.deep.include({
      level: "warn",
      message: "notification failed; the cluster flow goes on",
    });
  });

  it("sends nothing when there is nobody to send to", async () => {
    await createNotifier(
      { AWS_REGION: "eu-west-2", FD_NOTIFY_FROM: "flightdeck@example.org" },
      new Recorder(),
      clientFor,
    )(notice, undefined);
    expect(ses.commandCalls(SendEmailCommand)).to.have.length(0);
  });
});
