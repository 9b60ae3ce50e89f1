import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

/*
 * The compute node manager's decisions (template/boot/flightdeck-nodes.py):
 * its pure functions run under python3 without boto3, Slurm or AWS, all
 * cases in one python3 process. The rehearsal runs the same file for real.
 */

const manager = fileURLToPath(new URL("../../template/boot/flightdeck-nodes.py", import.meta.url));
const python = ["python3", "python"].find(
  (name) => spawnSync(name, ["--version"]).error === undefined,
);

const DRIVER = `
import importlib.machinery, importlib.util, json, sys
loader = importlib.machinery.SourceFileLoader("nodes", sys.argv[1])
spec = importlib.util.spec_from_loader("nodes", loader)
nodes = importlib.util.module_from_spec(spec)
loader.exec_module(nodes)
print(json.dumps([getattr(nodes, c["call"])(*c["args"]) for c in json.load(sys.stdin)]))
`;

type Call = { call: string; args: unknown[] };

function evaluate(calls: Call[]): unknown[] {
  if (python === undefined) throw new Error("python3 is needed to test the node manager");
  const result = spawnSync(python, ["-B", "-c", DRIVER, manager], {
    input: JSON.stringify(calls),
    encoding: "utf8",
  });
  expect(result.status, result.stderr).to.equal(0);
  return JSON.parse(result.stdout) as unknown[];
}

const NOW = 1_700_000_000;
const CONFIG = { claim_seconds: 600, grace_seconds: 300, backoff_seconds: 600 };
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
const group = (desired: number, instances: Array<[string, string]> = [], max = 25) => ({
  desired,
  max,
  instances: instances.map(([id, state]) => ({ id, state })),
});
const state = (over: Record<string, unknown> = {}) => ({
  claims: {},
  seen: {},
  raised: null,
  pending_down: {},
  ...over,
});
type Actions = Array<[string, unknown, unknown]>;
type Plan = [Actions, ReturnType<typeof state>];
const plan = (
  nodes: Node[],
  grp: unknown,
  st: ReturnType<typeof state>,
  activities: unknown[] = [],
): Call => ({ call: "plan", args: [nodes, grp, activities, st, NOW, CONFIG] });

describe("the compute node manager (flightdeck-nodes.py)", function () {
  before(function () {
    if (python === undefined) {
      if (process.env["CI"])
        expect.fail("python3 is not installed, and CI must test the node manager");
      this.skip();
    }
  });

  it("parses scontrol's one-line node records, reasons and their times", () => {
    const text = [
      "NodeName=compute-1 Arch=x86_64 CoresPerSocket=1 State=IDLE+CLOUD+POWERED_DOWN ThreadsPerCore=1",
      "NodeName=compute-2 NodeAddr=10.0.0.12 State=DOWN+CLOUD+POWERED_DOWN+NOT_RESPONDING Reason=launch failed: SpotMaxPriceTooLow - x = y [root@2023-11-14T22:13:20]",
      "No nodes in the system",
    ].join("\n");
    const [nodes] = evaluate([{ call: "parse_nodes", args: [text] }]) as [Node[]];
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
      message:
        "Could not launch Spot Instances. SpotMaxPriceTooLow - too low. Launching EC2 instance failed.",
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
        [["set-desired", 2, null]],
        { raised: NOW },
      ],
      [
        "never above MaxSize",
        plan(
          [node("compute-1", "IDLE+POWERING_UP"), node("compute-2", "IDLE+POWERING_UP")],
          group(0, [], 1),
          state(),
        ),
        [["set-desired", 1, null]],
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
            "launch failed: Could not launch Spot Instances. SpotMaxPriceTooLow - too low.",
          ],
          ["set-desired", 1, null],
        ],
        {
          raised: null,
          pending_down: {
            "compute-1":
              "launch failed: Could not launch Spot Instances. SpotMaxPriceTooLow - too low.",
          },
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
          ["set-desired", 0, null],
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
          state({ seen: { "i-old": NOW - 601, "i-new": NOW - 10 } }),
        ),
        [["terminate", "i-old", "no node claimed it within 600 s"]],
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

  it("shortens AWS's messages into a Slurm reason", () => {
    const long = `Could not launch Spot Instances. ${"x".repeat(200)} Launching EC2 instance failed.`;
    const [reason] = evaluate([{ call: "short", args: [long] }]) as [string];
    expect(reason).to.have.length(120);
    expect(reason.endsWith("...")).to.equal(true);
  });
});
