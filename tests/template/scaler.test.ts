import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

/*
 * The scaler's decisions (template/boot/flightdeck-scaler.py): its pure
 * functions run under python3 without boto3, Slurm or AWS. One python3
 * process evaluates every case, to keep the suite fast.
 */

const scaler = fileURLToPath(new URL("../../template/boot/flightdeck-scaler.py", import.meta.url));
const python = ["python3", "python"].find(
  (name) => spawnSync(name, ["--version"]).error === undefined,
);

const DRIVER = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("scaler", sys.argv[1])
scaler = importlib.util.module_from_spec(spec)
spec.loader.exec_module(scaler)
results = []
for case in json.load(sys.stdin):
    function = getattr(scaler, case["call"])
    results.append(function(*case["args"]))
print(json.dumps(results))
`;

type Call = { call: string; args: unknown[] };

/** Runs each call in one python3 process; returns the results as JSON values. */
function evaluate(calls: Call[]): unknown[] {
  if (python === undefined) throw new Error("python3 is needed to test the scaler");
  const result = spawnSync(python, ["-B", "-c", DRIVER, scaler], {
    input: JSON.stringify(calls),
    encoding: "utf8",
  });
  expect(result.status, result.stderr).to.equal(0);
  return JSON.parse(result.stdout) as unknown[];
}

const NOW = 1_700_000_000;
const MINUTE = 60;
const group = (desired: number, min = 0, max = 10) => ({ min, max, desired });
const instance = (id: string, ip: string, launched = NOW - 3600) => ({ id, ip, launched });
const node = (
  name: string,
  addr: string,
  base: string,
  flags: string[] = ["DYNAMIC_NORM"],
  idleFor = 0,
  reason = "",
) => ({ name, addr, base, flags, reason, idle_for: idleFor });

/** plan(nodes, wanted, group, instances, now, idle_seconds, join_seconds) */
const plan = (nodes: unknown[], wanted: number, grp: unknown, instances: unknown[]): Call => ({
  call: "plan",
  args: [nodes, wanted, grp, instances, NOW, 10 * MINUTE, 20 * MINUTE],
});

describe("the compute scaler (flightdeck-scaler.py)", function () {
  before(function () {
    if (python === undefined) {
      if (process.env["CI"]) expect.fail("python3 is not installed, and CI must test the scaler");
      this.skip();
    }
  });

  it("parses scontrol's one-line node records", () => {
    const text = [
      "NodeName=ip-10-0-0-5 Arch=x86_64 CPUTot=2 NodeAddr=10.0.0.5 NodeHostName=ip-10-0-0-5 State=IDLE+DYNAMIC_NORM LastBusyTime=2023-11-14T22:03:20 SlurmdStartTime=2023-11-14T21:00:00",
      "NodeName=ip-10-0-0-6 NodeAddr=10.0.0.6 State=IDLE+DRAIN+DYNAMIC_NORM LastBusyTime=None SlurmdStartTime=2023-11-14T21:00:00 Reason=flightdeck-idle [root@2023-11-14T22:10:00]",
      "NodeName=ip-10-0-0-7 NodeAddr=10.0.0.7 State=DOWN*+DYNAMIC_NORM+NOT_RESPONDING",
      "No nodes in the system",
    ].join("\n");
    const busy = new Date(2023, 10, 14, 22, 3, 20).getTime() / 1000;
    const start = new Date(2023, 10, 14, 21, 0, 0).getTime() / 1000;
    const [nodes] = evaluate([{ call: "parse_nodes", args: [text, busy + 600] }]) as [
      Array<Record<string, unknown>>,
    ];
    expect(nodes).to.deep.equal([
      node("ip-10-0-0-5", "10.0.0.5", "IDLE", ["DYNAMIC_NORM"], 600),
      node(
        "ip-10-0-0-6",
        "10.0.0.6",
        "IDLE",
        ["DRAIN", "DYNAMIC_NORM"],
        busy + 600 - start,
        "flightdeck-idle",
      ),
      node("ip-10-0-0-7", "10.0.0.7", "DOWN", ["DYNAMIC_NORM", "NOT_RESPONDING"], 0),
    ]);
  });

  it("counts the nodes wanted by jobs waiting for nodes, not by held or dependent ones", () => {
    const text = [
      "2|Resources",
      "1|Priority",
      "3|PartitionConfig",
      "4|Dependency",
      "5|JobHeldUser",
      "6|AssocGrpCpuLimit",
      "1|None",
      "",
    ].join("\n");
    expect(evaluate([{ call: "parse_pending", args: [text] }])).to.deep.equal([7]);
  });

  it("decides each pass as the queue and the nodes require", () => {
    const cases: Array<[string, Call, unknown[]]> = [
      [
        "grows to the busy nodes plus the wanted ones",
        plan([node("a", "10.0.0.5", "ALLOCATED")], 3, group(1), [instance("i-a", "10.0.0.5")]),
        [["set-desired", 4]],
      ],
      ["grows at most to MaxSize", plan([], 50, group(2), []), [["set-desired", 10]]],
      ["does not grow again for nodes still booting", plan([], 3, group(3), []), []],
      [
        "drains a node idle for 10 minutes",
        plan([node("a", "10.0.0.5", "IDLE", ["DYNAMIC_NORM"], 10 * MINUTE)], 0, group(1), [
          instance("i-a", "10.0.0.5"),
        ]),
        [["drain", "a"]],
      ],
      [
        "keeps a node idle for less than 10 minutes",
        plan([node("a", "10.0.0.5", "IDLE", ["DYNAMIC_NORM"], 5 * MINUTE)], 0, group(1), [
          instance("i-a", "10.0.0.5"),
        ]),
        [],
      ],
      [
        "never drains below MinSize",
        plan([node("a", "10.0.0.5", "IDLE", ["DYNAMIC_NORM"], 60 * MINUTE)], 0, group(1, 1), [
          instance("i-a", "10.0.0.5"),
        ]),
        [],
      ],
      [
        "terminates its own drained node, decrementing the group",
        plan([node("a", "10.0.0.5", "IDLE", ["DRAIN"], 0, "flightdeck-idle")], 0, group(1), [
          instance("i-a", "10.0.0.5"),
        ]),
        [["terminate", "a", "i-a"]],
      ],
      [
        "waits while its drained node still runs a job",
        plan([node("a", "10.0.0.5", "ALLOCATED", ["DRAIN"], 0, "flightdeck-idle")], 0, group(1), [
          instance("i-a", "10.0.0.5"),
        ]),
        [],
      ],
      [
        "resumes its drained nodes when jobs wait, before growing",
        plan([node("a", "10.0.0.5", "IDLE", ["DRAIN"], 0, "flightdeck-idle")], 1, group(1), [
          instance("i-a", "10.0.0.5"),
        ]),
        [["resume", "a"]],
      ],
      [
        "leaves a node drained by someone else alone",
        plan(
          [node("a", "10.0.0.5", "IDLE", ["DRAIN"], 60 * MINUTE, "customizer failed")],
          0,
          group(1),
          [instance("i-a", "10.0.0.5")],
        ),
        [],
      ],
      [
        "forgets a dead node whose instance is gone",
        plan([node("a", "10.0.0.9", "DOWN", ["NOT_RESPONDING"])], 0, group(0), []),
        [["delete", "a"]],
      ],
      [
        "terminates an instance that never joined within 20 minutes",
        plan([], 0, group(2), [
          instance("i-old", "10.0.0.8", NOW - 25 * MINUTE),
          instance("i-new", "10.0.0.9", NOW - 5 * MINUTE),
        ]),
        [["terminate-unjoined", "i-old"]],
      ],
    ];
    const results = evaluate(cases.map(([, call]) => call));
    cases.forEach(([name, , expected], index) => {
      expect(results[index], name).to.deep.equal(expected);
    });
  });
});
