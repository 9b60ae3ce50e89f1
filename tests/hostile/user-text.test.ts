import { expect } from "chai";
import { hostileCase } from "./support/hostile-cases.js";
import { HostileWorld } from "./support/hostile-world.js";

/*
 * Root on a cluster's login node can send CloudFormation a FAILURE signal
 * with any text. That text reached the user's .cf-failed and the admin's
 * email, from FlightDeck's own sender: a phishing channel. It now arrives in
 * FlightDeck's words, with the node's own only quoted, bounded and stripped
 * of anything that could make a link.
 */

const PHISH = "Your FlightDeck password expired: sign in at https://flightdeck-login.example/reset";

describe("hostile: user-controlled text", function () {
  this.timeout(30_000);
  let world: HostileWorld;
  beforeEach(async () => {
    world = await new HostileWorld().start();
  });
  afterEach(async () => world.stop());

  hostileCase(
    "user text",
    "a login node's FAILURE signal reaches .cf-failed and the admin's email quoted, bounded and without a link",
    async () => {
      await world.upload(
        "home/alice/c1.cf-create",
        '{"ComputeSpotPrice": "0.10", "ComputeMaxNodes": 2}',
      );
      const stack = world.aws.cfn.live("fd-alice-c1");
      stack?.events.push({
        logicalId: "MasterInstance",
        type: "AWS::EC2::Instance",
        status: "CREATE_FAILED",
        reason: `Received FAILURE signal with UniqueId ${PHISH}`,
        time: new Date(),
      });
      world.aws.cfn.transition("fd-alice-c1", "ROLLBACK_COMPLETE");
      await world.asUser("alice", () => world.aws.statusEvent("fd-alice-c1"));
      const reasons = (await world.failure("alice", "c1")).join("\n");
      const emails = world.aws.cfn.emails.map((e) => `${e.subject}\n${e.text}`).join("\n");
      for (const [where, text] of [
        [".cf-failed", reasons],
        ["the emails", emails],
      ] as const) {
        expect(text, where).to.include("reported that its boot failed, in its own words «");
        expect(text, where).not.to.match(/https?:|flightdeck-login\.example/);
        const quoted = /«([^»]*)»/.exec(text)?.[1] ?? "";
        expect(quoted.length, where).to.be.within(1, 64);
      }
      expect(world.aws.cfn.emails.length).to.be.at.least(1);
    },
  );
});
