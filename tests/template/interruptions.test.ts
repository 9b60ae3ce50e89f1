import { expect } from "chai";
import { callBootPython, requirePython } from "./boot-python.js";

/*
 * The compute nodes' spot interruption watcher
 * (template/boot/flightdeck-interruptions.py): its decisions, run under
 * python3 without Slurm or the metadata service. The rehearsal runs the same
 * file on its nodes against the fake's metadata service.
 */

type Response = [Array<[string, string?]>, string[]];

const respond = (cases: unknown[][]) =>
  callBootPython(
    "flightdeck-interruptions.py",
    cases.map((args) => ({ call: "respond", args })),
  ) as Response[];

describe("the spot interruption watcher (flightdeck-interruptions.py)", function () {
  before(function () {
    requirePython(this, "the watcher");
  });

  it("drains and requeues on an interruption notice, once", () => {
    const notice = { action: "terminate", time: "2026-12-07T10:02:00Z" };
    const [first, again] = respond([
      [notice, null, []],
      [notice, null, ["action"]],
    ]);
    expect(first).to.deep.equal([
      [
        [
          "drain",
          "spot interruption: AWS terminates this instance at 2026-12-07T10:02:00Z; its jobs were requeued",
        ],
        ["requeue"],
      ],
      ["action"],
    ]);
    expect(again).to.deep.equal([[], ["action"]]);
  });

  it("drains without requeueing on a rebalance recommendation, then requeues if the notice follows", () => {
    const rebalance = { noticeTime: "2026-12-07T10:00:00Z" };
    const [recommended, repeated, reclaimed] = respond([
      [null, rebalance, []],
      [null, rebalance, ["rebalance"]],
      [{ action: "terminate", time: "T" }, null, ["rebalance"]],
    ]);
    expect(recommended).to.deep.equal([
      [
        [
          "drain",
          "spot interruption: rebalance recommendation at 2026-12-07T10:00:00Z; running jobs finish, new ones start elsewhere",
        ],
      ],
      ["rebalance"],
    ]);
    expect(repeated).to.deep.equal([[], ["rebalance"]]);
    expect(reclaimed?.[0].map((step) => step[0])).to.deep.equal(["drain", "requeue"]);
    expect(reclaimed?.[1]).to.deep.equal(["rebalance", "action"]);
  });

  it("does nothing while the metadata has no notice", () => {
    expect(respond([[null, null, []]])).to.deep.equal([[[], []]]);
  });
});
