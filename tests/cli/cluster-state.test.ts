import { expect } from "chai";
import { ageOf, clusterStates, extensionAnswer, timeLeft } from "../../cli/cluster-state.js";
import type { ClusterName, UserId } from "../../functions/shared/identifiers.js";

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 25, 12, 0, seconds));
const file = (name: string, seconds: number) => ({
  key: `home/alice/${name}`,
  lastModified: at(seconds),
});

describe("cluster states from the files in a user's home", () => {
  it("maps each file to its state", () => {
    const states = clusterStates("alice", [
      file("a.cf-create", 1),
      file("b.cf-created", 1),
      file("c.cf-delete", 1),
      file("d.cf-deleted", 1),
      file("e.cf-failed", 1),
    ]);
    expect(states.map((s) => [s.cluster, s.state])).to.deep.equal([
      ["a", "pending"],
      ["b", "running"],
      ["c", "deleting"],
      ["d", "deleted"],
      ["e", "failed"],
    ]);
  });

  it("lets the newest file decide", () => {
    expect(
      clusterStates("alice", [file("c1.cf-created", 1), file("c1.cf-delete", 5)])[0]?.state,
    ).to.equal("deleting");
    expect(
      clusterStates("alice", [file("c1.cf-failed", 1), file("c1.cf-create", 5)])[0]?.state,
    ).to.equal("pending");
    expect(
      clusterStates("alice", [file("c1.cf-create", 1), file("c1.cf-failed", 5)])[0],
    ).to.deep.include({
      state: "failed",
      key: "home/alice/c1.cf-failed",
    });
  });

  it("does not mistake .cf-created for .cf-create", () => {
    expect(clusterStates("alice", [file("c1.cf-created", 1)])[0]).to.deep.include({
      cluster: "c1",
      state: "running",
    });
  });

  it("ignores other files, sub-folders and other users' homes", () => {
    const states = clusterStates("alice", [
      file("notes.txt", 1),
      file("sub/c1.cf-create", 1),
      { key: "home/bob/c2.cf-create", lastModified: at(1) },
      { key: "home/alice2/c3.cf-create", lastModified: at(1) },
    ]);
    expect(states).to.deep.equal([]);
  });

  it("gives short ages", () => {
    expect(ageOf(at(0), at(45))).to.equal("45s");
    expect(ageOf(new Date(0), new Date(12 * 60_000))).to.equal("12m");
    expect(ageOf(new Date(0), new Date(3 * 3_600_000))).to.equal("3h");
    expect(ageOf(new Date(0), new Date(50 * 3_600_000))).to.equal("2d");
  });

  it("never lets a lifetime file decide the state: a refused extension leaves a running cluster running", () => {
    const [state] = clusterStates("alice", [
      file("c1.cf-created", 1),
      file("c1.cf-expiring", 5),
      file("c1.cf-extend", 6),
      file("c1.cf-extended", 7),
    ]);
    expect(state).to.deep.include({
      state: "running",
      key: "home/alice/c1.cf-created",
      lifetimeKey: "home/alice/c1.cf-extended",
    });
  });

  it("ignores a lifetime file older than the state it would describe", () => {
    const [state] = clusterStates("alice", [file("c1.cf-extended", 1), file("c1.cf-created", 5)]);
    expect(state?.lifetimeKey).to.equal(undefined);
  });

  it("shows the time left before an expiry", () => {
    const now = at(0);
    const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
    expect(timeLeft(later(-1), now)).to.equal("expired");
    expect(timeLeft(later(45), now)).to.equal("45m");
    expect(timeLeft(later(8 * 60 - 1), now)).to.equal("7h59m");
    expect(timeLeft(later(3 * 24 * 60 + 90), now)).to.equal("3d1h");
  });
});

describe("which .cf-extended answers the request just sent", () => {
  const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, second));
  const user = "alice" as UserId;
  const cluster = "c1" as ClusterName;
  const request = (second: number) => ({
    key: "home/alice/c1.cf-extend",
    lastModified: at(second),
  });
  const answer = (second: number) => ({
    key: "home/alice/c1.cf-extended",
    lastModified: at(second),
  });

  it("none while there is no answer", () => {
    expect(extensionAnswer(user, cluster, [request(1)])).to.equal(undefined);
  });

  it("one written in the request's second counts once FlightDeck has removed the request", () => {
    expect(extensionAnswer(user, cluster, [request(1), answer(1)])).to.equal(undefined);
    expect(extensionAnswer(user, cluster, [answer(1)])).to.deep.equal(answer(1));
  });

  it("one written in a later second than the request counts at once", () => {
    expect(extensionAnswer(user, cluster, [request(1), answer(2)])).to.deep.equal(answer(2));
  });

  it("one written before the request never counts", () => {
    expect(extensionAnswer(user, cluster, [answer(0), request(1)])).to.equal(undefined);
  });
});
