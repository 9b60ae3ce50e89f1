import { expect } from "chai";
import { hostileCase } from "./support/hostile-cases.js";
import { hostilePolicy, HostileWorld } from "./support/hostile-world.js";

/*
 * Ways round the cost limits. The deployment sets maxSpotPrice
 * 0.50, so compute nodes must be spot; and 64 vCPUs per user across all
 * their clusters.
 */

describe("hostile: on-demand and vCPU bypass attempts", function () {
  this.timeout(30_000);
  let world: HostileWorld;
  beforeEach(async () => {
    world = await new HostileWorld().start();
  });
  afterEach(async () => world.stop());

  const refused = async (config: string, pattern: RegExp, cluster = "c1") => {
    await world.asUser("alice", () => world.upload(`home/alice/${cluster}.cf-create`, config));
    expect(world.liveStacks("fd-alice-")).not.to.include(`fd-alice-${cluster}`);
    const reasons = (await world.failure("alice", cluster)).join(" ");
    expect(reasons).to.match(pattern);
    return reasons;
  };

  for (const price of ['"0"', "0", '"0.0"', '"0.00000"', "0.0"]) {
    hostileCase(
      "cost limits",
      `ComputeSpotPrice ${price} (on-demand) is refused naming allowOnDemand`,
      async () => {
        await refused(`{"ComputeSpotPrice": ${price}, "ComputeMaxNodes": 2}`, /allowOnDemand/);
      },
    );
  }

  hostileCase(
    "cost limits",
    "a config that leaves ComputeSpotPrice at the template's on-demand default is refused",
    async () => {
      await refused(
        '{"ComputeMaxNodes": 2}',
        /ComputeSpotPrice is 0.*allowOnDemand is false.*up to 0\.50/,
      );
    },
  );

  hostileCase(
    "cost limits",
    "32 × c7i.48xlarge (the issue's example) is refused naming the vCPUs and the limit",
    async () => {
      await refused(
        JSON.stringify({
          ComputeInstanceType: "other",
          ComputeInstanceTypeOther: "c7i.48xlarge-192C-384GB",
          ComputeMaxNodes: 32,
          ComputeSpotPrice: "0.40",
        }),
        /up to 6146 vCPUs \(master 2 \+ ComputeMaxNodes 32 × 192\), above your limit of 64 vCPUs/,
      );
    },
  );

  hostileCase(
    "cost limits",
    "a preset's vCPUs count through the template's mapping label",
    async () => {
      await refused(
        '{"ComputeInstanceType": "large", "ComputeMaxNodes": 2, "ComputeSpotPrice": "0.40"}',
        /up to 66 vCPUs \(master 2 \+ ComputeMaxNodes 2 × 32\)/,
      );
    },
  );

  hostileCase(
    "cost limits",
    "clusters that fit alone are refused once their sum passes maxVcpus, naming the holders",
    async () => {
      const config = (nodes: number) =>
        JSON.stringify({ ComputeMaxNodes: nodes, ComputeSpotPrice: "0.10" });
      await world.upload("home/alice/c1.cf-create", config(20)); // 2 + 20 × 2 = 42
      expect(world.liveStacks("fd-alice-")).to.deep.equal(["fd-alice-c1"]);
      const reasons = await refused(
        config(11),
        /c1 \(42\) already hold 42 of your limit of 64 vCPUs/,
        "c2",
      );
      expect(reasons).to.match(/up to 24 vCPUs/);
    },
  );

  hostileCase("cost limits", "an admin may allow on-demand explicitly for one user", async () => {
    await world.stop();
    world = await new HostileWorld({
      policy: hostilePolicy({
        users: { alice: { limits: { allowOnDemand: true } }, bob: {}, carol: {} },
      }),
    }).start();
    await world.asUser("alice", () =>
      world.upload("home/alice/c1.cf-create", '{"ComputeSpotPrice": "0", "ComputeMaxNodes": 2}'),
    );
    expect(world.liveStacks("fd-alice-")).to.deep.equal(["fd-alice-c1"]);
    await world.asUser("bob", () =>
      world.upload("home/bob/c3.cf-create", '{"ComputeSpotPrice": "0", "ComputeMaxNodes": 2}'),
    );
    expect(world.liveStacks("fd-bob-")).to.deep.equal([]);
  });
});
