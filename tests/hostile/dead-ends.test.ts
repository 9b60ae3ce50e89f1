import { expect } from "chai";
import { hostileCase } from "./support/hostile-cases.js";
import { HostileWorld } from "./support/hostile-world.js";

/*
 * Requests that got no answer. Each case ends with the user
 * holding a result file that says what happened.
 */

const SPOT = '{"ComputeSpotPrice": "0.10", "ComputeMaxNodes": 2}';

describe("hostile: requests that must not go unanswered", function () {
  this.timeout(30_000);
  let world: HostileWorld;
  beforeEach(async () => {
    world = await new HostileWorld().start();
  });
  afterEach(async () => world.stop());

  /** alice's c1, created and then brought to `status` by CloudFormation. */
  async function clusterIn(status: string): Promise<void> {
    await world.upload("home/alice/c1.cf-create", SPOT);
    world.aws.cfn.transition("fd-alice-c1", "CREATE_COMPLETE", {
      outputs: { LoginIp: "203.0.113.7" },
    });
    await world.aws.statusEvent("fd-alice-c1");
    world.aws.cfn.transition("fd-alice-c1", status, { reason: "The following resource(s) failed" });
  }

  for (const status of ["DELETE_FAILED", "UPDATE_ROLLBACK_FAILED", "UPDATE_FAILED"]) {
    hostileCase(
      "dead ends",
      `a re-upload while the stack is ${status} ends in .cf-failed`,
      async () => {
        await clusterIn(status);
        await world.asUser("alice", () => world.upload("home/alice/c1.cf-create", SPOT));
        expect((await world.failure("alice", "c1")).join(" ")).to.include(status);
        expect(world.aws.cfn.callsOf("CreateStack")).to.have.length(1);
      },
    );
  }

  hostileCase(
    "dead ends",
    "a re-upload while an administrator updates the stack ends in .cf-failed",
    async () => {
      await clusterIn("UPDATE_IN_PROGRESS");
      await world.asUser("alice", () => world.upload("home/alice/c1.cf-create", SPOT));
      expect((await world.failure("alice", "c1")).join(" ")).to.match(/UPDATE_IN_PROGRESS/);
    },
  );

  hostileCase(
    "dead ends",
    "a .cf-delete sent while a failed create is cleaned up ends in .cf-deleted",
    async () => {
      await world.upload("home/alice/c1.cf-create", SPOT);
      world.aws.cfn.transition("fd-alice-c1", "ROLLBACK_COMPLETE");
      await world.aws.statusEvent("fd-alice-c1");
      expect(world.aws.cfn.live("fd-alice-c1")?.status).to.equal("DELETE_IN_PROGRESS");
      await world.asUser("alice", async () => {
        await world.upload("home/alice/c1.cf-delete", "");
        world.aws.cfn.transition("fd-alice-c1", "DELETE_COMPLETE");
        await world.aws.statusEvent("fd-alice-c1");
      });
      const home = await world.home("alice");
      expect(home).to.have.property("c1.cf-deleted");
      expect(home).not.to.have.property("c1.cf-delete");
    },
  );

  hostileCase(
    "dead ends",
    "a second .cf-delete of a DELETE_FAILED stack starts a new delete, with a new token",
    async () => {
      await clusterIn("CREATE_COMPLETE");
      await world.upload("home/alice/c1.cf-delete", "");
      const first = world.aws.cfn.live("fd-alice-c1")?.deleteToken;
      world.aws.cfn.transition("fd-alice-c1", "DELETE_FAILED", { reason: "VPC has dependencies" });
      await world.aws.statusEvent("fd-alice-c1");
      expect(await world.home("alice")).to.have.property("c1.cf-failed");

      await world.asUser("alice", () => world.upload("home/alice/c1.cf-delete", ""));
      const stack = world.aws.cfn.live("fd-alice-c1");
      expect(stack?.status).to.equal("DELETE_IN_PROGRESS");
      expect(stack?.deleteToken).not.to.equal(first);
      world.aws.cfn.transition("fd-alice-c1", "DELETE_COMPLETE");
      await world.aws.statusEvent("fd-alice-c1");
      expect(await world.home("alice")).to.have.property("c1.cf-deleted");
      expect(await world.aws.registryItem("alice"))
        .to.have.nested.property("clusters.M")
        .that.deep.equals({});
    },
  );

  hostileCase(
    "dead ends",
    "a duplicated .cf-delete event reuses its token: one delete, not two",
    async () => {
      await clusterIn("CREATE_COMPLETE");
      const event = await world.aws.upload("home/alice/c1.cf-delete", "");
      await world.aws.deliver(event);
      const first = world.aws.cfn.callsOf("DeleteStack")[0]?.get("ClientRequestToken");
      world.aws.cfn.transition("fd-alice-c1", "DELETE_FAILED");
      await world.aws.deliver(event);
      const tokens = world.aws.cfn.callsOf("DeleteStack").map((p) => p.get("ClientRequestToken"));
      expect(new Set(tokens)).to.deep.equal(new Set([first]));
    },
  );
});
