import { expect } from "chai";
import { hostileCase } from "./support/hostile-cases.js";
import { hostilePolicy, HostileWorld } from "./support/hostile-world.js";

/*
 * Uploads racing for the last slots. Each concurrent invocation
 * runs in its own execution environment (a fresh module instance of the
 * built bundle, as Lambda gives each), against a CloudFormation that takes
 * 50–150 ms per call, as the real one does.
 */

/** A small spot cluster: 2 + 2 × 2 = 6 vCPUs, well inside every limit but maxClusters. */
const SPOT_CLUSTER = '{"ComputeMaxNodes": 2, "ComputeSpotPrice": "0.10"}';

/** The hostile policy with a request rate that lets 20 uploads in a minute through: the quota is on trial here. */
const racePolicy = (users: Record<string, unknown> = { alice: {}, bob: {}, carol: {} }) =>
  hostilePolicy({
    limits: { maxClusters: 2, maxSpotPrice: "0.50", maxVcpus: 64, maxRequestsPerMinute: 100 },
    users,
  });

describe("hostile: concurrent quota races", function () {
  this.timeout(60_000);
  let world: HostileWorld;
  afterEach(async () => world.stop());

  /** Uploads c1…cN at once, each delivered to its own cold-started cf-create. */
  async function race(count: number, user = "alice"): Promise<void> {
    const handlers = await Promise.all(
      Array.from({ length: count }, () => world.aws.freshHandler("cf-create")),
    );
    const events = [];
    for (let i = 1; i <= count; i += 1) {
      events.push(await world.aws.upload(`home/${user}/c${i}.cf-create`, SPOT_CLUSTER));
    }
    await Promise.all(
      events.map((event, i) => handlers[i]?.({ Records: [event] }, world.aws.context())),
    );
  }

  for (const count of [5, 20]) {
    hostileCase(
      "quota races",
      `${count} simultaneous uploads under maxClusters 2 leave exactly 2 clusters, and every loser is told who holds the slots`,
      async () => {
        world = await new HostileWorld({ policy: racePolicy() }).start();
        world.aws.cfn.latencyMs = [50, 150];
        await world.asUser("alice", () => race(count));
        const live = world.liveStacks("fd-alice-");
        expect(live.length, `live stacks: ${live.join(", ")}`).to.equal(2);
        const home = await world.home("alice");
        const holders = live.map((name) => name.replace("fd-alice-", ""));
        for (let i = 1; i <= count; i += 1) {
          const cluster = `c${i}`;
          if (holders.includes(cluster)) {
            expect(home, cluster).to.have.property(`${cluster}.cf-create`);
            continue;
          }
          const reasons = await world.failure("alice", cluster);
          for (const holder of holders) expect(reasons.join(" ")).to.include(holder);
          expect(reasons.join(" ")).to.match(/limit is 2/);
        }
      },
    );
  }

  hostileCase(
    "quota races",
    "the same race with per-user limits: bob's limit of 1 holds while alice's 2 do",
    async () => {
      world = await new HostileWorld({
        policy: racePolicy({ alice: {}, bob: { limits: { maxClusters: 1 } }, carol: {} }),
      }).start();
      world.aws.cfn.latencyMs = [50, 150];
      await Promise.all([race(5, "alice"), race(5, "bob")]);
      // Exactly as many as there is room for: none over the limit, and none refused with room left.
      expect(world.liveStacks("fd-alice-")).to.have.length(2);
      expect(world.liveStacks("fd-bob-")).to.have.length(1);
    },
  );
});
