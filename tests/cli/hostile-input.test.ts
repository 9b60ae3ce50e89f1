import { expect } from "chai";
import { bucketOnlyAws, type LocalAws, USER_BUCKET } from "../support/local-aws.js";
import { cli, localUserEnv } from "../support/run-cli.js";

/*
 * The CLI's holes: a file that never ends, and result files whose
 * text (user-influenced: a cluster name, a CloudFormation reason quoting
 * a parameter) carries terminal control sequences.
 */

const ESC = "\u001b";

describe("flightdeck command line against hostile input", function () {
  this.timeout(30_000);

  it("refuses validate /dev/zero after reading 16 KiB + 1 bytes, not the whole device", async () => {
    const started = Date.now();
    const run = await cli(["validate", "/dev/zero"]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/limit is 16384 bytes/);
    expect(Date.now() - started).to.be.below(10_000);
  });

  describe("printing result files", () => {
    let aws: LocalAws;
    before(async () => {
      aws = bucketOnlyAws();
      await aws.start();
      const hostile = `${ESC}]0;pwned${ESC}\\${ESC}[2J${ESC}[31mred\u009b31m\u202eevil`;
      await aws.put(
        USER_BUCKET,
        "home/alice/c1.cf-failed",
        `FlightDeck could not create cluster "c1":\n  - ${hostile}\n\n${JSON.stringify({ flightdeck: "cf-failed", action: "create", cluster: "c1", reasons: [hostile] })}\n`,
      );
      await aws.put(USER_BUCKET, "home/alice/c2.cf-created", `203.0.113.9${ESC}[2J\n`);
    });
    after(async () => aws.stop());

    const flightdeck = (args: string[]) => cli(args, localUserEnv(aws.endpoint, aws.queryEndpoint));

    it("shows control characters in status as visible escapes, never raw", async () => {
      const run = await flightdeck(["status"]);
      expect(run.code).to.equal(0);
      expect(run.stdout).not.to.include(ESC);
      expect(run.stdout).not.to.include("\u009b");
      expect(run.stdout).not.to.include("\u202e");
      expect(run.stdout).to.include("\\u001b]0;pwned");
    });

    it("keeps them escaped in --json, where JSON's own escaping applies", async () => {
      const run = await flightdeck(["status", "--json"]);
      expect(run.stdout).not.to.include(ESC);
      expect(run.stdout).not.to.include("\u009b");
    });
  });
});
