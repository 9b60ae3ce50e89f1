import { expect } from "chai";
import { stackStatusEventOf } from "../support/eventbridge-events.js";
import { SERVICE_ROLE_ARN } from "../support/local-aws.js";
import { hostileCase } from "./support/hostile-cases.js";
import { hostilePolicy, HostileWorld } from "./support/hostile-world.js";
import { slotViolations } from "./support/slot-invariants.js";

/*
 * A quota slot belongs to one stack. Each case is a way an adversarial
 * review found to run a stack the registry does not count: a re-create in
 * the window before the old stack's DELETE_COMPLETE is handled, a racing
 * upload of the same name at another size, a stack completing with no slot.
 */

const LIMITS = { maxClusters: 2, maxVcpus: 64 } as const;
const config = (nodes: number) =>
  JSON.stringify({ ComputeMaxNodes: nodes, ComputeSpotPrice: "0.10" });
const OURS = {
  USER: "alice",
  CLUSTER: "c1",
  ManagedBy: "flightdeck",
  FlightDeckDeployment: "fdtest",
};

describe("hostile: slots bound to their stacks", function () {
  this.timeout(30_000);
  let world: HostileWorld;
  beforeEach(async () => {
    world = await new HostileWorld({
      policy: hostilePolicy({
        limits: { ...LIMITS, maxSpotPrice: "0.50", maxRequestsPerMinute: 100 },
      }),
    }).start();
  });
  afterEach(async () => world.stop());

  const expectInvariants = async () =>
    expect(await slotViolations(world, "alice", LIMITS)).to.deep.equal([]);

  /** alice's registry item, written directly: c1's slot taken by `token`, for an hour. */
  const holdC1 = (slot: { vcpus: number; token: string; stackId?: string }) =>
    world.aws.putRegistryItem({
      user: { S: "alice" },
      clusters: {
        M: {
          c1: {
            M: {
              acquiredAt: { N: String(Date.now()) },
              vcpus: { N: String(slot.vcpus) },
              token: { S: slot.token },
              ...(slot.stackId === undefined ? {} : { stackId: { S: slot.stackId } }),
              expiresAt: { N: String(Date.now() + 3_600_000) },
            },
          },
        },
      },
      vcpus: { N: String(slot.vcpus) },
    });

  /** alice's c1, up and reported. */
  async function running(nodes = 1): Promise<void> {
    await world.upload("home/alice/c1.cf-create", config(nodes));
    world.aws.cfn.transition("fd-alice-c1", "CREATE_COMPLETE", {
      outputs: { LoginIp: "203.0.113.7" },
    });
    await world.aws.statusEvent("fd-alice-c1");
  }

  hostileCase(
    "slots",
    "a re-create before the old stack's DELETE_COMPLETE is handled is refused, and the late event then frees the old slot only",
    async () => {
      await running();
      await world.upload("home/alice/c1.cf-delete", "");
      const old = world.aws.cfn.transition("fd-alice-c1", "DELETE_COMPLETE");
      // The old stack is gone, but cf-delete has not handled its event yet.
      await world.asUser("alice", () => world.upload("home/alice/c1.cf-create", config(1)));
      expect(world.liveStacks("fd-alice-")).to.deep.equal([]);
      expect((await world.failure("alice", "c1")).join(" ")).to.match(/still being deleted/);
      await expectInvariants();
      await world.aws.deleteHandler(stackStatusEventOf(old), world.aws.context());
      expect(await world.home("alice")).to.have.property("c1.cf-deleted");
      expect(
        Object.keys((await world.aws.registryItem("alice"))?.["clusters"]?.M ?? {}),
      ).to.deep.equal([]);
      // Now the name is free again.
      await world.upload("home/alice/c1.cf-create", config(1));
      expect(world.liveStacks("fd-alice-")).to.deep.equal(["fd-alice-c1"]);
      await expectInvariants();
    },
  );

  hostileCase(
    "slots",
    "a late DELETE_COMPLETE of an old stack neither frees the new stack's slot nor reports it deleted",
    async () => {
      await running();
      await world.upload("home/alice/c1.cf-delete", "");
      const old = world.aws.cfn.transition("fd-alice-c1", "DELETE_COMPLETE");
      const oldEvent = stackStatusEventOf(old);
      await world.aws.deleteHandler(oldEvent, world.aws.context());
      await running(3);
      const before = await world.home("alice");
      // EventBridge delivers the old stack's DELETE_COMPLETE once more, late.
      await world.aws.deleteHandler(oldEvent, world.aws.context());
      expect(await world.home("alice")).to.deep.equal(before);
      expect(before).to.have.property("c1.cf-created");
      await expectInvariants();
    },
  );

  hostileCase(
    "slots",
    "an upload of a name whose create is under way at another size is refused, so the big cluster is never counted at the small size",
    async () => {
      // A small c1 (6 vCPUs) holds the slot, its CreateStack not yet sent.
      await holdC1({ vcpus: 6, token: "fd-create-small" });
      await world.asUser("alice", () => world.upload("home/alice/c1.cf-create", config(20)));
      expect(world.aws.cfn.callsOf("CreateStack")).to.have.length(0);
      expect((await world.failure("alice", "c1")).join(" ")).to.match(/already being created/);
      await expectInvariants();
    },
  );

  hostileCase(
    "slots",
    "a stack that completes while its slot names another stack is deleted, and its user told why",
    async () => {
      await holdC1({
        vcpus: 4,
        token: "fd-create-other",
        stackId: "arn:aws:cloudformation:eu-west-2:111122223333:stack/fd-alice-c1/other",
      });
      const stray = world.aws.cfn.addStack("fd-alice-c1", {
        tags: OURS,
        roleArn: SERVICE_ROLE_ARN,
      });
      stray.parameters = { ComputeMaxNodes: "20" };
      stray.outputs = { LoginIp: "198.51.100.9" };
      await world.asUser("alice", () => world.aws.statusEvent("fd-alice-c1"));
      expect(stray.status).to.equal("DELETE_IN_PROGRESS");
      expect(await world.home("alice")).not.to.have.property("c1.cf-created");
      expect((await world.failure("alice", "c1")).join(" ")).to.match(/no quota slot|deleted it/);
    },
  );

  hostileCase(
    "slots",
    "the model's shrunk counterexample: a big create rolls back, its clean-up completes unheard, and a small re-create must not inherit the big slot",
    async () => {
      // create alice/c1 ×20, settle CREATE_IN_PROGRESS failing, create alice/c1 ×1,
      // settle DELETE_IN_PROGRESS succeeding, create alice/c1 ×1 (seed -1341697791 on main at b38e54a).
      await world.upload("home/alice/c1.cf-create", config(20));
      await expectInvariants();
      world.aws.cfn.transition("fd-alice-c1", "ROLLBACK_COMPLETE", { reason: "boot failed" });
      await expectInvariants();
      await world.upload("home/alice/c1.cf-create", config(1));
      await expectInvariants();
      world.aws.cfn.transition("fd-alice-c1", "DELETE_COMPLETE");
      await expectInvariants();
      await world.upload("home/alice/c1.cf-create", config(1));
      await expectInvariants();
      expect(world.liveStacks("fd-alice-")).to.deep.equal([]);
    },
  );
});
