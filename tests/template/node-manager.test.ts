import { readFileSync } from "node:fs";
import { expect } from "chai";
import { computeBoot, masterBoot } from "../../template/node-boot.js";
import { callBootPython, requirePython, runBootPythonLink, type Call } from "./boot-python.js";

/*
 * The compute node manager's decisions (template/boot/flightdeck-nodes.py
 * carries out plan() of flightdeck_nodes_plan.py, on the node records and
 * reasons of flightdeck_nodes_slurm.py): its pure functions run under python3
 * without boto3, Slurm or AWS, all cases in one python3 process. The
 * rehearsal runs the same files for real.
 */

/** plan() of flightdeck_nodes_plan.py. */
const evaluate = (calls: Call[]) => callBootPython("flightdeck_nodes_plan.py", calls);
/** parse_nodes() and short() of flightdeck_nodes_slurm.py. */
const evaluateSlurm = (calls: Call[]) => callBootPython("flightdeck_nodes_slurm.py", calls);

const NOW = 1_700_000_000;
const CONFIG = {
  claim_seconds: 180,
  grace_seconds: 300,
  backoff_seconds: 600,
  capacity_retry_seconds: 120,
  fallback_seconds: 600,
  fallback_minutes: "10",
  on_demand_allowed: true,
  main_market: "spot",
};
type Node = {
  name: string;
  base: string;
  flags: string[];
  reason: string;
  reason_time: number | null;
};
const node = (name: string, state: string, reason = "", reasonAge?: number): Node => {
  const [base = "", ...flags] = state.split("+");
  return {
    name,
    base,
    flags: ["CLOUD", ...flags],
    reason,
    reason_time: reasonAge === undefined ? null : NOW - reasonAge,
  };
};
type Group = ReturnType<typeof group>;
const group = (desired: number, instances: Array<[string, string]> = [], max = 25) => ({
  desired,
  max,
  instances: instances.map(([id, state]) => ({ id, state })),
});
const state = (over: Record<string, unknown> = {}) => ({
  claims: {},
  seen: {},
  raised: null,
  raised_group: "main",
  pending_down: {},
  spot_trouble: null,
  failure_seen: null,
  ...over,
});
type Actions = Array<[string, unknown, unknown]>;
type Plan = [Actions, ReturnType<typeof state>];
/** One pass with the main group only (or none), its activities and the default config. */
const plan = (
  nodes: Node[],
  main: Group | null,
  st: ReturnType<typeof state>,
  activities: unknown[] = [],
  options: { fallback?: Group | null; fallbackActivities?: unknown[]; config?: object } = {},
): Call => ({
  call: "plan",
  args: [
    nodes,
    { main, fallback: options.fallback ?? null },
    { main: activities, fallback: options.fallbackActivities ?? [] },
    st,
    NOW,
    { ...CONFIG, ...options.config },
  ],
});

describe("the compute node manager (flightdeck-nodes.py)", function () {
  before(function () {
    requirePython(this, "the node manager");
  });

  it("runs through a link elsewhere, importing its modules from its own folder", () => {
    const run = runBootPythonLink("flightdeck-nodes.py", "not-an-event", []);
    expect(run.stderr).to.include("usage: flightdeck-nodes.py run");
    expect(run.status, run.stderr).to.equal(1);
  });

  it("ships with each role the boot modules its Python files import", () => {
    for (const spec of [masterBoot, computeBoot]) {
      for (const file of spec.files.filter((f) => f.endsWith(".py"))) {
        const text = readFileSync(new URL(`../../template/boot/${file}`, import.meta.url), "utf8");
        for (const [, module] of text.matchAll(/^(?:from|import) (flightdeck_\w+)/gm)) {
          expect(spec.files, `${spec.role}: ${file} imports ${module}`).to.include(`${module}.py`);
        }
      }
    }
  });

  it("parses scontrol's one-line node records, reasons and their times", () => {
    const text = [
      "NodeName=compute-1 Arch=x86_64 CoresPerSocket=1 State=IDLE+CLOUD+POWERED_DOWN ThreadsPerCore=1",
      "NodeName=compute-2 NodeAddr=10.0.0.12 State=DOWN+CLOUD+POWERED_DOWN+NOT_RESPONDING Reason=launch failed: SpotMaxPriceTooLow - x = y [root@2023-11-14T22:13:20]",
      "No nodes in the system",
    ].join("\n");
    const [nodes] = evaluateSlurm([{ call: "parse_nodes", args: [text] }]) as [Node[]];
    expect(nodes.map((n) => [n.name, n.base, n.flags, n.reason])).to.deep.equal([
      ["compute-1", "IDLE", ["CLOUD", "POWERED_DOWN"], ""],
      [
        "compute-2",
        "DOWN",
        ["CLOUD", "POWERED_DOWN", "NOT_RESPONDING"],
        "launch failed: SpotMaxPriceTooLow - x = y",
      ],
    ]);
    expect(nodes[1]?.reason_time).to.equal(new Date(2023, 10, 14, 22, 13, 20).getTime() / 1000);
  });

  it("decides each pass as the nodes, the group and its activities require", () => {
    const failed = {
      status: "Failed",
      start: NOW - 5,
      message: "You are not authorized to use launch template lt-1. Launching EC2 instance failed.",
    };
    const cases: Array<[string, Call, Actions, Record<string, unknown>?]> = [
      [
        "waits for the group CloudFormation has not created yet",
        plan([node("compute-1", "IDLE+POWERING_UP")], null, state()),
        [],
      ],
      [
        "raises the capacity for nodes powering up",
        plan(
          [node("compute-1", "ALLOCATED+POWERING_UP"), node("compute-2", "ALLOCATED+POWERING_UP")],
          group(0),
          state(),
        ),
        [["set-desired", 2, "main"]],
        { raised: NOW },
      ],
      [
        "never above MaxSize",
        plan(
          [node("compute-1", "IDLE+POWERING_UP"), node("compute-2", "IDLE+POWERING_UP")],
          group(0, [], 1),
          state(),
        ),
        [["set-desired", 1, "main"]],
      ],
      [
        "claims unclaimed instances, the oldest first, without raising again",
        plan(
          [node("compute-1", "IDLE+POWERING_UP"), node("compute-2", "IDLE+POWERING_UP")],
          group(2, [
            ["i-b", "Pending"],
            ["i-a", "InService"],
          ]),
          state({ raised: NOW - 10, seen: { "i-a": NOW - 9, "i-b": NOW - 8 } }),
        ),
        [
          ["claim", "compute-1", "i-a"],
          ["claim", "compute-2", "i-b"],
        ],
        { claims: { "compute-1": "i-a", "compute-2": "i-b" }, raised: null },
      ],
      [
        "gives back the instance of a node powering down, powered down, DOWN, or drained and idle",
        plan(
          [
            node("compute-1", "IDLE+POWERING_DOWN"),
            node("compute-2", "IDLE+POWERED_DOWN"),
            node("compute-3", "DOWN+NOT_RESPONDING", "Not responding", 60),
            node("compute-4", "IDLE+DRAIN", "bad disk", 60),
            node("compute-5", "MIXED+DRAIN", "bad disk", 60),
          ],
          group(5, [
            ["i-1", "InService"],
            ["i-2", "InService"],
            ["i-3", "InService"],
            ["i-4", "InService"],
            ["i-5", "InService"],
          ]),
          state({
            claims: {
              "compute-1": "i-1",
              "compute-2": "i-2",
              "compute-3": "i-3",
              "compute-4": "i-4",
              "compute-5": "i-5",
            },
          }),
        ),
        [
          ["terminate", "i-1", "node compute-1 is IDLE+CLOUD+POWERING_DOWN"],
          ["terminate", "i-2", "node compute-2 is IDLE+CLOUD+POWERED_DOWN"],
          ["terminate", "i-3", "node compute-3 is DOWN+CLOUD+NOT_RESPONDING"],
          ["terminate", "i-4", "node compute-4 is IDLE+CLOUD+DRAIN"],
        ],
        { claims: { "compute-5": "i-5" } },
      ],
      [
        "marks a running node DOWN when its instance left the group, so its job requeues",
        plan(
          [node("compute-1", "ALLOCATED")],
          group(1, [["i-2", "InService"]]),
          state({ claims: { "compute-1": "i-1" }, seen: { "i-2": NOW } }),
        ),
        [["down", ["compute-1"], "instance lost: i-1 left the Auto Scaling group"]],
        { claims: {} },
      ],
      [
        "on a failed launch: requeues the waiting node, puts every powered-down node DOWN with AWS's reason, lowers the capacity",
        plan(
          [
            node("compute-1", "ALLOCATED+POWERING_UP"),
            node("compute-2", "IDLE+POWERED_DOWN"),
            node("compute-3", "ALLOCATED"),
          ],
          group(2, [["i-3", "InService"]]),
          state({ raised: NOW - 30, claims: { "compute-3": "i-3" } }),
          [failed],
        ),
        [
          ["power-down", ["compute-1"], null],
          [
            "down",
            ["compute-2"],
            "launch failed: You are not authorized to use launch template lt-1.",
          ],
          ["set-desired", 1, "main"],
        ],
        {
          raised: null,
          pending_down: {
            "compute-1": "launch failed: You are not authorized to use launch template lt-1.",
          },
          spot_trouble: null,
        },
      ],
      [
        "ignores failed launches from before the last raise",
        plan([node("compute-1", "IDLE+POWERING_UP")], group(1), state({ raised: NOW - 1 }), [
          failed,
        ]),
        [],
      ],
      [
        "gives up when no instance comes within the launch grace",
        plan([node("compute-1", "IDLE+POWERING_UP")], group(1), state({ raised: NOW - 301 })),
        [
          ["power-down", ["compute-1"], null],
          ["set-desired", 0, "main"],
        ],
      ],
      [
        "marks a node it forced down DOWN again once Slurm powers it down, then forgets it",
        plan(
          [
            node("compute-1", "IDLE+POWERING_DOWN"),
            node("compute-2", "DOWN+POWERED_DOWN", "launch failed: x", 5),
          ],
          group(0),
          state({
            pending_down: { "compute-1": "launch failed: x", "compute-2": "launch failed: x" },
          }),
        ),
        [["down", ["compute-1"], "launch failed: x"]],
        { pending_down: { "compute-1": "launch failed: x" } },
      ],
      [
        "returns its DOWN nodes to service after the backoff, not an admin's",
        plan(
          [
            node("compute-1", "DOWN+POWERED_DOWN", "launch failed: x", 601),
            node("compute-2", "DOWN+POWERED_DOWN", "ResumeTimeout reached", 700),
            node("compute-3", "DOWN+POWERED_DOWN", "boot failed: y", 30),
            node("compute-4", "DOWN+POWERED_DOWN", "disk replaced by admin", 9000),
          ],
          group(0),
          state(),
        ),
        [["resume", ["compute-1", "compute-2"], null]],
      ],
      [
        "ends the boot of a node that set itself DOWN, and gives back its instance",
        plan(
          [
            node(
              "compute-1",
              "DOWN+POWERING_UP+NOT_RESPONDING",
              "boot failed: customizer x exit 3",
              1,
            ),
          ],
          group(1, [["i-1", "InService"]]),
          state({ claims: { "compute-1": "i-1" }, seen: { "i-1": NOW - 30 } }),
        ),
        [
          ["power-down", ["compute-1"], null],
          ["terminate", "i-1", "node compute-1 is DOWN+CLOUD+POWERING_UP+NOT_RESPONDING"],
        ],
        { pending_down: { "compute-1": "boot failed: customizer x exit 3" }, claims: {} },
      ],
      [
        "terminates an instance no node claims within the claim timeout, and keeps a newer one",
        plan(
          [],
          group(2, [
            ["i-old", "InService"],
            ["i-new", "Pending"],
          ]),
          state({ seen: { "i-old": NOW - 181, "i-new": NOW - 10 } }),
        ),
        [["terminate", "i-old", "no node claimed it within 180 s"]],
      ],
      [
        "does not lower the capacity while a launch is on its way, whatever waits",
        plan([], group(3, [["i-1", "InService"]]), state({ claims: {}, seen: { "i-1": NOW } })),
        [],
      ],
    ];
    const results = evaluate(cases.map(([, call]) => call)) as Plan[];
    cases.forEach(([name, , actions, expectedState], index) => {
      const [planned, after] = results[index] as Plan;
      expect(planned, name).to.deep.equal(actions);
      if (expectedState !== undefined) expect(after, name).to.deep.include(expectedState);
    });
  });

  it("waits for capacity, falls back to on-demand, and handles spot interruptions", () => {
    const ice = {
      status: "Failed",
      start: NOW - 5,
      message:
        "Could not launch Spot Instances. InsufficientInstanceCapacity - There is no Spot capacity available that matches your request. Launching EC2 instance failed.",
    };
    const iceReason =
      "InsufficientInstanceCapacity - There is no Spot capacity available that matches your request";
    const localTime = (at: number) => new Date(at * 1000).toTimeString().slice(0, 8);
    const waitingSpot = (config: object = {}) =>
      plan(
        [node("compute-1", "ALLOCATED+POWERING_UP"), node("compute-2", "IDLE+POWERED_DOWN")],
        group(1),
        state({ raised: NOW - 30 }),
        [ice],
        { fallback: group(0), config },
      );
    const cases: Array<[string, Call, Actions, Record<string, unknown>?]> = [
      [
        "no spot capacity: the waiting node keeps waiting, the others go DOWN with AWS's words and when on-demand comes",
        waitingSpot(),
        [
          [
            "down",
            ["compute-2"],
            `spot capacity: ${iceReason}. Still trying other types and zones; on-demand if spot still fails at ${localTime(NOW + 600)}`,
          ],
        ],
        { spot_trouble: { since: NOW, last: NOW }, raised: NOW - 30, failure_seen: NOW - 5 },
      ],
      [
        "acts on a failed launch once",
        plan(
          [node("compute-1", "ALLOCATED+POWERING_UP"), node("compute-2", "IDLE+POWERED_DOWN")],
          group(1),
          state({
            raised: NOW - 30,
            failure_seen: NOW - 5,
            spot_trouble: { since: NOW, last: NOW },
          }),
          [ice],
          { fallback: group(0) },
        ),
        [],
      ],
      [
        "keeps waiting past the launch grace while the failures are for capacity",
        plan(
          [node("compute-1", "ALLOCATED+POWERING_UP")],
          group(1),
          state({ raised: NOW - 400, failure_seen: NOW - 5 }),
          [
            { ...ice, start: NOW - 100 },
            { ...ice, start: NOW - 5 },
          ],
          { fallback: group(0) },
        ),
        [],
      ],
      [
        "no spot capacity, on-demand not allowed: says so, and what the user can do",
        waitingSpot({ fallback_seconds: null, on_demand_allowed: false }),
        [
          [
            "down",
            ["compute-2"],
            `spot capacity: ${iceReason}. Still trying other types and zones; on-demand is not allowed for you (allowOnDemand): wait, raise ComputeSpotPrice, or ask your administrator`,
          ],
        ],
      ],
      [
        "no spot capacity, spot only by choice (SpotFallbackMinutes 0)",
        waitingSpot({ fallback_seconds: null, fallback_minutes: "0" }),
        [
          [
            "down",
            ["compute-2"],
            `spot capacity: ${iceReason}. Still trying other types and zones; SpotFallbackMinutes is 0: spot only`,
          ],
        ],
      ],
      [
        "moves nodes waiting on spot to the on-demand group once spot has failed for SpotFallbackMinutes",
        plan(
          [node("compute-1", "ALLOCATED+POWERING_UP")],
          group(1),
          state({
            raised: NOW - 600,
            failure_seen: NOW - 20,
            spot_trouble: { since: NOW - 600, last: NOW - 20 },
          }),
          [{ ...ice, start: NOW - 20 }],
          { fallback: group(0) },
        ),
        [
          ["set-desired", 0, "main"],
          ["set-desired", 1, "fallback"],
        ],
        { raised_group: "fallback", raised: NOW },
      ],
      [
        "returns nodes DOWN for capacity after the capacity retry, or when the fallback starts, whichever is first",
        plan(
          [
            node("compute-1", "DOWN+POWERED_DOWN", "spot capacity: x", 121),
            node("compute-2", "DOWN+POWERED_DOWN", "spot capacity: x", 60),
            node("compute-3", "DOWN+POWERED_DOWN", "on-demand capacity: x", 30),
          ],
          group(0),
          state({ spot_trouble: { since: NOW - 600, last: NOW - 60 } }),
          [],
          { fallback: group(0) },
        ),
        [["resume", ["compute-1", "compute-2"], null]],
      ],
      [
        "after SpotFallbackMinutes of spot failing, raises the on-demand group for waiting nodes",
        plan(
          [node("compute-1", "ALLOCATED+POWERING_UP")],
          group(0),
          state({ spot_trouble: { since: NOW - 700, last: NOW - 100 } }),
          [],
          { fallback: group(0) },
        ),
        [["set-desired", 1, "fallback"]],
        { raised_group: "fallback", raised: NOW },
      ],
      [
        "tries spot again first once it has not been tried for SpotFallbackMinutes",
        plan(
          [node("compute-1", "ALLOCATED+POWERING_UP")],
          group(0),
          state({ spot_trouble: { since: NOW - 3000, last: NOW - 601 } }),
          [],
          { fallback: group(0) },
        ),
        [["set-desired", 1, "main"]],
        { raised_group: "main" },
      ],
      [
        "claims an on-demand instance, and forgets spot's trouble when a spot instance comes",
        plan(
          [node("compute-1", "ALLOCATED+POWERING_UP"), node("compute-2", "ALLOCATED+POWERING_UP")],
          group(1, [["i-spot", "Pending"]]),
          state({
            raised: NOW - 20,
            raised_group: "fallback",
            spot_trouble: { since: NOW - 700, last: NOW - 100 },
          }),
          [],
          { fallback: group(1, [["i-od", "Pending"]]) },
        ),
        [
          ["claim", "compute-1", "i-od"],
          ["claim", "compute-2", "i-spot"],
        ],
        { spot_trouble: null, raised: null },
      ],
      [
        "an on-demand launch without capacity says so, and keeps waiting",
        plan(
          [node("compute-1", "ALLOCATED+POWERING_UP"), node("compute-2", "IDLE+POWERED_DOWN")],
          group(0),
          state({
            raised: NOW - 30,
            raised_group: "fallback",
            spot_trouble: { since: NOW - 700, last: NOW - 100 },
          }),
          [],
          {
            fallback: group(1),
            fallbackActivities: [
              {
                status: "Failed",
                start: NOW - 3,
                message:
                  "Could not launch On-Demand Instances. InsufficientInstanceCapacity - We currently do not have sufficient c7i.large capacity.",
              },
            ],
          },
        ),
        [
          [
            "down",
            ["compute-2"],
            "on-demand capacity: InsufficientInstanceCapacity - We currently do not have sufficient c7i.large capacity. Still trying other types and zones",
          ],
        ],
        { raised_group: "fallback", failure_seen: NOW - 3 },
      ],
      [
        "gives back the instance of a node drained for a spot interruption, and powers it down",
        plan(
          [node("compute-1", "IDLE+DRAIN", "spot interruption: AWS terminates this instance", 5)],
          group(1, [["i-1", "InService"]]),
          state({ claims: { "compute-1": "i-1" }, seen: { "i-1": NOW - 100 } }),
        ),
        [
          ["terminate", "i-1", "node compute-1 is IDLE+CLOUD+DRAIN"],
          ["power-down", ["compute-1"], null],
        ],
        { claims: {}, pending_down: {} },
      ],
      [
        "powers down a node drained for an interruption whose instance AWS already took, and waits for a busy one",
        plan(
          [
            node("compute-1", "IDLE+DRAIN", "spot interruption: x", 5),
            node("compute-2", "MIXED+DRAIN", "spot interruption: rebalance recommendation", 5),
          ],
          group(1, [["i-2", "InService"]]),
          state({ claims: { "compute-1": "i-1", "compute-2": "i-2" }, seen: { "i-2": NOW - 100 } }),
        ),
        [["power-down", ["compute-1"], null]],
        { claims: { "compute-2": "i-2" } },
      ],
      [
        "returns a node powered down after an interruption to service at once",
        plan(
          [node("compute-1", "IDLE+DRAIN+POWERED_DOWN", "spot interruption: x", 5)],
          group(0),
          state(),
        ),
        [["resume", ["compute-1"], null]],
      ],
      [
        "powers down a node DOWN because its instance was lost, to return it after the backoff",
        plan(
          [
            node(
              "compute-1",
              "DOWN+NOT_RESPONDING",
              "instance lost: i-1 left the Auto Scaling group",
              5,
            ),
            node("compute-2", "DOWN", "disk replaced by admin", 5),
          ],
          group(0),
          state(),
        ),
        [["power-down", ["compute-1"], null]],
        { pending_down: { "compute-1": "instance lost: i-1 left the Auto Scaling group" } },
      ],
      [
        "claims a replacement the group launched on its own for a waiting node",
        plan(
          [node("compute-2", "ALLOCATED+POWERING_UP")],
          group(1, [["i-replacement", "InService"]]),
          state({ seen: { "i-replacement": NOW - 60 } }),
        ),
        [["claim", "compute-2", "i-replacement"]],
      ],
    ];
    const results = evaluate(cases.map(([, call]) => call)) as Plan[];
    cases.forEach(([name, , actions, expectedState], index) => {
      const [planned, after] = results[index] as Plan;
      expect(planned, name).to.deep.equal(actions);
      if (expectedState !== undefined) expect(after, name).to.deep.include(expectedState);
    });
  });

  it("shortens AWS's messages into a Slurm reason", () => {
    const long = `Could not launch Spot Instances. ${"x".repeat(300)} Launching EC2 instance failed.`;
    const [reason] = evaluateSlurm([{ call: "short", args: [long] }]) as [string];
    expect(reason).to.have.length(160);
    expect(reason.endsWith("...")).to.equal(true);
  });
});
