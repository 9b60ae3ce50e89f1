import { expect } from "chai";
import fc from "fast-check";
import { stackStatusEventOf } from "../support/eventbridge-events.js";
import type { FakeStack } from "../support/fake-stacks.js";
import { injectClock, type InjectedClock } from "../support/injected-clock.js";
import { hostileCase } from "./support/hostile-cases.js";
import { deliverUpload } from "../support/upload-queue.js";
import { hostilePolicy, HostileWorld } from "./support/hostile-world.js";
import { slotViolations } from "./support/slot-invariants.js";

/*
 * The registry and CloudFormation under every interleaving fast-check can
 * find: uploads, re-creates of a name, racing uploads of one name at two
 * sizes, deletes, stack events delivered late, twice or out of order,
 * lifetime sweeps and the clock moving, all through the built handlers,
 * dynalite and the fake CloudFormation. After every step, every live stack
 * holds exactly the slot that names it, with its expiry and its true size,
 * within the user's limits; and a late delete event never rewrites the files
 * of a newer stack of the same name.
 */

const LIMITS = { maxClusters: 2, maxVcpus: 64 } as const;
const USERS = ["alice", "bob"] as const;
/** Mostly alice: the findings are about one user's names, bob keeps the registry multi-user. */
const user = fc.oneof(
  { weight: 4, arbitrary: fc.constant("alice" as const) },
  { weight: 1, arbitrary: fc.constant("bob" as const) },
);
/** Few names, so re-creates and races of one name are common. */
const CLUSTERS = ["c1", "c2"] as const;
/** ComputeMaxNodes of the configs uploaded: 4 and 42 vCPUs with the small presets. */
const SIZES = [1, 20] as const;
const START = Date.UTC(2026, 11, 6, 12, 0, 0);

type User = (typeof USERS)[number];
type ClusterId = (typeof CLUSTERS)[number];

/** A stack-status event CloudFormation has sent and EventBridge has not yet delivered. */
interface PendingEvent {
  readonly stack: string;
  readonly stackId: string;
  readonly status: string;
  readonly event: unknown;
}

interface Model {
  readonly pending: PendingEvent[];
  steps: number;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

interface Real {
  readonly world: HostileWorld;
  readonly clock: InjectedClock;
  now: number;
  /**
   * Two execution environments of each function, taken in turn: racing
   * invocations run in environments of their own, as Lambda gives them.
   */
  readonly environments: { readonly "cf-create": Handler[]; readonly "cf-delete": Handler[] };
  turns: number;
}

/** The next environment of a function, in turn. */
function environment(real: Real, name: "cf-create" | "cf-delete"): Handler {
  real.turns += 1;
  const pool = real.environments[name];
  return pool[real.turns % pool.length] as Handler;
}

const config = (nodes: number) =>
  JSON.stringify({ ComputeMaxNodes: nodes, ComputeSpotPrice: "0.10" });

/** An upload, delivered through its queue; a failure is left for the model's checks to judge. */
async function upload(real: Real, key: string, body: string): Promise<void> {
  const handler = environment(real, key.endsWith(".cf-create") ? "cf-create" : "cf-delete");
  const event = await real.world.aws.upload(key, body);
  await deliverUpload(handler, event, real.world.aws.context()).catch(() => undefined);
}

/** Stacks in one status, oldest first. */
const inStatus = (real: Real, status: string) =>
  real.world.aws.cfn.stacks.filter((s) => s.status === status);

/** CloudFormation moves a stack and sends its event, which waits to be delivered. */
function play(model: Model, real: Real, stack: FakeStack, status: string): void {
  real.world.aws.cfn.transition(stack.name, status, {
    outputs: { LoginIp: "203.0.113.7" },
    reason: status.endsWith("FAILED") || status.startsWith("ROLLBACK") ? "boot failed" : undefined,
  });
  model.pending.push({
    stack: stack.name,
    stackId: stack.stackId,
    status,
    event: stackStatusEventOf(stack, status),
  });
}

class Create implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: User,
    readonly cluster: ClusterId,
    readonly nodes: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    await upload(real, `home/${this.user}/${this.cluster}.cf-create`, config(this.nodes));
    model.steps += 1;
  }
  toString = () => `create ${this.user}/${this.cluster} ×${this.nodes}`;
}

class Race implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: User,
    readonly cluster: ClusterId,
    readonly sizes: readonly [number, number],
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const key = `home/${this.user}/${this.cluster}.cf-create`;
    const handlers = this.sizes.map(() => environment(real, "cf-create"));
    const events = [];
    for (const nodes of this.sizes) events.push(await real.world.aws.upload(key, config(nodes)));
    await Promise.all(
      events.map((event, i) =>
        deliverUpload(handlers[i] as Handler, event, real.world.aws.context()).catch(
          () => undefined,
        ),
      ),
    );
    model.steps += 1;
  }
  toString = () => `race ${this.user}/${this.cluster} ×${this.sizes.join(" and ×")}`;
}

class Delete implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: User,
    readonly cluster: ClusterId,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    await upload(real, `home/${this.user}/${this.cluster}.cf-delete`, "");
    model.steps += 1;
  }
  toString = () => `delete ${this.user}/${this.cluster}`;
}

/** CloudFormation finishes (or fails) a create or a delete under way; its event is only sent. */
class Settle implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly from: "CREATE_IN_PROGRESS" | "DELETE_IN_PROGRESS",
    readonly fails: boolean,
    readonly index: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const candidates = inStatus(real, this.from);
    const stack = candidates[this.index % Math.max(candidates.length, 1)];
    if (stack === undefined) return;
    const creating = this.from === "CREATE_IN_PROGRESS";
    const to = creating
      ? this.fails
        ? "ROLLBACK_COMPLETE"
        : "CREATE_COMPLETE"
      : this.fails
        ? "DELETE_FAILED"
        : "DELETE_COMPLETE";
    play(model, real, stack, to);
    model.steps += 1;
  }
  toString = () => `settle ${this.from} #${this.index} ${this.fails ? "failing" : "succeeding"}`;
}

/** EventBridge delivers one pending event: any of them (out of order), and maybe again later. */
class Deliver implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly index: number,
    readonly again: boolean,
  ) {}
  check = (model: Readonly<Model>) => model.pending.length > 0;
  async run(model: Model, real: Real): Promise<void> {
    const at = this.index % model.pending.length;
    const pending = model.pending[at];
    if (pending === undefined) return;
    if (!this.again) model.pending.splice(at, 1);
    const deleting = pending.status.startsWith("DELETE");
    const [user = "", cluster = ""] = pending.stack.replace(/^fd-/, "").split("-");
    const newer = real.world.aws.cfn
      .liveStacks()
      .find((s) => s.name === pending.stack && s.stackId !== pending.stackId);
    const before = newer === undefined ? undefined : await clusterFiles(real, user, cluster);
    const handler = environment(real, deleting ? "cf-delete" : "cf-create");
    await handler(pending.event, real.world.aws.context()).catch(() => undefined);
    if (deleting && before !== undefined) {
      expect(
        await clusterFiles(real, user, cluster),
        `a late ${pending.status} of ${pending.stack} changed the files of the newer stack`,
      ).to.deep.equal(before);
    }
    model.steps += 1;
  }
  toString = () => `deliver event #${this.index}${this.again ? " (and again later)" : ""}`;
}

class Sweep implements fc.AsyncCommand<Model, Real> {
  constructor(readonly minutes: number) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    real.now += this.minutes * 60_000;
    real.clock.set(real.now);
    const tick = { source: "aws.events", "detail-type": "Scheduled Event", detail: {} };
    const handler = environment(real, "cf-delete");
    await handler(tick, real.world.aws.context()).catch(() => undefined);
    model.steps += 1;
  }
  toString = () => `sweep after ${this.minutes} minutes`;
}

/** The files of one cluster in its owner's home. */
async function clusterFiles(
  real: Real,
  user: string,
  cluster: string,
): Promise<Record<string, string>> {
  const home = await real.world.home(user);
  return Object.fromEntries(
    Object.entries(home).filter(([name]) => name.startsWith(`${cluster}.`)),
  );
}

const cluster = fc.constantFrom(...CLUSTERS);
const nodes = fc.constantFrom(...SIZES);
const settleFrom = fc.constantFrom("CREATE_IN_PROGRESS", "DELETE_IN_PROGRESS") as fc.Arbitrary<
  "CREATE_IN_PROGRESS" | "DELETE_IN_PROGRESS"
>;
/** Weighted so that stacks move and events arrive about as often as users upload. */
const commands = fc.commands(
  [
    fc.oneof(
      {
        weight: 3,
        arbitrary: fc.tuple(user, cluster, nodes).map(([u, c, n]) => new Create(u, c, n)),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(user, cluster, nodes, nodes)
          .map(([u, c, a, b]) => new Race(u, c, [a, b])),
      },
      { weight: 2, arbitrary: fc.tuple(user, cluster).map(([u, c]) => new Delete(u, c)) },
      {
        weight: 4,
        arbitrary: fc
          .tuple(settleFrom, fc.boolean(), fc.nat(5))
          .map(([from, fails, index]) => new Settle(from, fails, index)),
      },
      {
        weight: 4,
        arbitrary: fc
          .tuple(fc.nat(9), fc.boolean())
          .map(([index, again]) => new Deliver(index, again)),
      },
      { weight: 1, arbitrary: fc.constantFrom(15, 90, 3000).map((minutes) => new Sweep(minutes)) },
    ),
  ],
  { maxCommands: 40, size: "max" },
);

/** How many runs and commands the property tries; NUM_RUNS raises it for a longer hunt. */
const NUM_RUNS = Number(process.env["FD_SLOT_MODEL_RUNS"] ?? 20);

describe("hostile: slots bound to their stacks, under every interleaving (model-based)", function () {
  this.timeout(600_000);

  hostileCase(
    "slots",
    "every live stack holds exactly its slot, with its expiry and size, within the limits, after every step",
    async () => {
      let runs = 0;
      let steps = 0;
      // One world for every run, reset between them: see LocalAws.reset.
      const world = await new HostileWorld({
        policy: hostilePolicy({
          limits: { ...LIMITS, maxSpotPrice: "0.50", maxRequestsPerMinute: 1000 },
        }),
      }).start();
      const environments = {
        "cf-create": [world.aws.createHandler, await world.aws.freshHandler("cf-create")],
        "cf-delete": [world.aws.deleteHandler, await world.aws.freshHandler("cf-delete")],
      };
      try {
        await fc.assert(
          fc.asyncProperty(commands, async (sequence) => {
            runs += 1;
            await world.reset();
            const clock = injectClock(START);
            const real: Real = { world, clock, now: START, environments, turns: 0 };
            const model: Model = { pending: [], steps: 0 };
            try {
              await fc.asyncModelRun(
                () => ({ model, real }),
                [...sequence].map((command) => ({
                  check: (m: Readonly<Model>) => command.check(m),
                  toString: () => command.toString(),
                  run: async (m: Model, r: Real) => {
                    await command.run(m, r);
                    for (const u of USERS) {
                      const problems = await slotViolations(r.world, u, LIMITS);
                      expect(problems, `after "${command.toString()}"`).to.deep.equal([]);
                    }
                  },
                })),
              );
            } finally {
              steps += model.steps;
              clock.restore();
            }
          }),
          { numRuns: NUM_RUNS },
        );
      } finally {
        await world.stop();
      }
      console.log(
        `      slot model: ${runs} runs, ${steps} steps, every invariant held after each`,
      );
      expect(runs).to.be.at.least(NUM_RUNS);
      expect(steps).to.be.at.least(NUM_RUNS);
    },
  );
});
