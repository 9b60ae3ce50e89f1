import { expect } from "chai";
import { DEFAULT_CONCURRENCY } from "../../stacks/settings/settings-shape.js";
import { auditStorm, type StormState } from "../support/storm/storm-audit.js";
import { StormWorld, type StormOptions } from "../support/storm/storm-world.js";

/*
 * A small storm through the built bundles, run as Lambda runs them (see
 * tests/support/storm): 5 users × 10 clusters created, then deleted, with
 * throttling, late and doubled events. It checks outcomes only, never time:
 * `npm run bench:storm` prints the figures.
 */

const SMALL_STORM: StormOptions = {
  users: 5,
  clustersPerUser: 10,
  cloud: {
    latencyMs: [1, 5],
    throttleRate: 0.1,
    budget: { perSecond: 200, burst: 50 },
    settleMs: [20, 80],
    deliveryMs: [0, 30],
    duplicateRate: 0.1,
    seed: 12,
  },
  s3LatencyMs: [0, 2],
  concurrency: DEFAULT_CONCURRENCY,
  retryDelaysMs: [50, 100],
  s3DuplicateRate: 0.1,
  uploadParallelism: 10,
};

const clean = {
  lost: [],
  duplicatedStacks: [],
  wrongFiles: [],
  wrongStacks: [],
  deadLetters: 0,
};

describe("storm: 100 requests through the built bundles as Lambda runs them", function () {
  this.timeout(240_000);
  let world: StormWorld | undefined;
  after(async () => world?.stop());

  it("ends every create and every delete in exactly one result file and one stack, none dead-lettered", async () => {
    world = await new StormWorld(SMALL_STORM).start();
    await world.drop("create");
    await world.drained();
    const created = await world.audit("created");
    expect(created).to.deep.include(clean);

    world.newPhase();
    await world.drop("delete");
    await world.drained();
    const deleted = await world.audit("deleted");
    expect(deleted).to.deep.include(clean);
    // The storm was a storm: throttled calls were retried, doubled events arrived.
    expect((await world.servers.cloudStats()).throttledAtRandom).to.be.greaterThan(0);
  });
});

describe("storm audit", () => {
  const stackNameOf = (user: string, cluster: string) => `fd-${user}-${cluster}`;
  const requests = [
    { user: "u1", cluster: "c1" },
    { user: "u1", cluster: "c2" },
  ];
  const state = (over: Partial<StormState>): StormState => ({
    requests,
    homes: new Map([["u1", ["c1.cf-created", "c2.cf-created"]]]),
    stacks: [
      { name: "fd-u1-c1", status: "CREATE_COMPLETE" },
      { name: "fd-u1-c2", status: "CREATE_COMPLETE" },
    ],
    deadLetters: 0,
    resultWrites: ["home/u1/c1.cf-created", "home/u1/c2.cf-created"],
    ...over,
  });

  it("passes a clean storm", () => {
    expect(auditStorm("created", state({}), stackNameOf)).to.deep.include({
      ...clean,
      resultWritesPerRequest: 1,
    });
  });

  it("catches a lost request", () => {
    const audit = auditStorm(
      "created",
      state({ homes: new Map([["u1", ["c1.cf-created", "c2.cf-create"]]]) }),
      stackNameOf,
    );
    expect(audit.lost).to.deep.equal(["u1/c2"]);
  });

  it("catches a doubled stack", () => {
    const audit = auditStorm(
      "created",
      state({
        stacks: [
          { name: "fd-u1-c1", status: "CREATE_COMPLETE" },
          { name: "fd-u1-c2", status: "CREATE_COMPLETE" },
          { name: "fd-u1-c2", status: "CREATE_COMPLETE" },
        ],
      }),
      stackNameOf,
    );
    expect(audit.duplicatedStacks).to.deep.equal(["u1/c2: 2 stacks"]);
  });

  it("catches a result beside another, a stack left over, and dead letters", () => {
    const audit = auditStorm(
      "deleted",
      state({
        homes: new Map([["u1", ["c1.cf-deleted", "c2.cf-deleted", "c2.cf-failed"]]]),
        stacks: [
          { name: "fd-u1-c1", status: "DELETE_COMPLETE" },
          { name: "fd-u1-c2", status: "CREATE_COMPLETE" },
        ],
        deadLetters: 1,
      }),
      stackNameOf,
    );
    expect(audit.wrongFiles).to.deep.equal(["u1/c2: c2.cf-deleted, c2.cf-failed"]);
    expect(audit.wrongStacks).to.deep.equal(["u1/c2: CREATE_COMPLETE"]);
    expect(audit.deadLetters).to.equal(1);
  });
});
