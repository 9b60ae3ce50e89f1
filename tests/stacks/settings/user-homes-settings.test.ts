import { expect } from "chai";
import type { UserId } from "../../../functions/shared/identifiers.js";
import { derivedUid } from "../../../functions/shared/user-uid.js";
import { policyFromSettings } from "../../../stacks/settings/policy.js";
import {
  decodedSettings,
  MINIMAL_SETTINGS,
  settingsProblems,
  SSH_KEY,
} from "../../support/settings-decoding.js";

/* Users' UIDs and homes in the settings (settings-shape.ts, settings.ts). */

const withUsers = (users: Array<Record<string, unknown>>, homes?: unknown) => ({
  ...MINIMAL_SETTINGS,
  users: users.map((user) => ({ sshPublicKey: SSH_KEY, ...user })),
  ...(homes === undefined ? {} : { homes }),
});

/** Two ids whose derived UIDs collide, found once by search. */
function collidingIds(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i += 1) {
    const id = `user${i}`;
    const uid = derivedUid(id as UserId);
    const other = seen.get(uid);
    if (other !== undefined) return [other, id];
    seen.set(uid, id);
  }
}

describe("users' UIDs and homes in the settings", () => {
  it("derives a UID from the id alone: the same whatever else the settings hold", () => {
    expect(derivedUid("alice" as UserId)).to.equal(457479);
    expect(derivedUid("bob" as UserId)).to.equal(464244);
    const alone = decodedSettings(withUsers([{ id: "alice" }]));
    const among = decodedSettings(withUsers([{ id: "zed" }, { id: "alice", login: "al" }]));
    expect(alone.users[0]?.uid).to.equal("457479");
    expect(among.users.find((u) => u.id === "alice")?.uid).to.equal("457479");
  });

  it("records every UID in the deployment policy", () => {
    const policy = policyFromSettings(decodedSettings(withUsers([{ id: "alice", uid: 5000 }])));
    expect(policy.users["alice" as UserId]?.uid).to.equal("5000");
  });

  it("refuses a UID of a system account, nobody's, or beyond what the kernel takes", () => {
    for (const uid of [0, 999, 65534, 2147483648, -5, "12a", 1.5]) {
      expect(settingsProblems(withUsers([{ id: "alice", uid }])).join("\n"), String(uid)).to.match(
        /uid must be a whole number from 1000 to 2147483647, other than 65534/,
      );
    }
  });

  it("refuses two users with one UID, naming both and which to change", () => {
    const [first, second] = collidingIds();
    expect(settingsProblems(withUsers([{ id: first }, { id: second }]))).to.deep.equal([
      `users: ${first} and ${second} would both have UID ${derivedUid(first as UserId)}; give the newer of them a "uid" of its own (never change the UID of a user whose home has files).`,
    ]);
    expect(settingsProblems(withUsers([{ id: first }, { id: second, uid: 7000 }]))).to.deep.equal(
      [],
    );
    expect(
      settingsProblems(
        withUsers([
          { id: "alice", uid: 7000 },
          { id: "bob", uid: 7000 },
        ]),
      ),
    ).to.deep.equal([
      'users: alice and bob would both have UID 7000; give the newer of them a "uid" of its own (never change the UID of a user whose home has files).',
    ]);
  });

  it("keeps a retired user's home, and takes away their clusters", () => {
    const settings = decodedSettings(withUsers([{ id: "alice" }, { id: "bob", retired: true }]));
    expect(settings.users.map((u) => u.id)).to.deep.equal(["alice"]);
    expect(settings.homes.owners.map((o) => o.id)).to.deep.equal(["alice", "bob"]);
    expect(Object.keys(policyFromSettings(settings).users)).to.deep.equal(["alice"]);
  });

  it("keeps every home from destruction but those named deletable", () => {
    const settings = decodedSettings(
      withUsers([{ id: "alice" }, { id: "bob", retired: true }], { deletable: ["bob", "carol"] }),
    );
    expect(settings.homes.owners.map((o) => [o.id, o.deletable])).to.deep.equal([
      ["alice", false],
      ["bob", true],
    ]);
    expect(settings.homes.deletable).to.deep.equal(["bob", "carol"]);
  });

  it("sets each home's storage alarm: the user's own, else the deployment's, else 100 GiB", () => {
    const settings = decodedSettings(
      withUsers([{ id: "alice" }, { id: "bob", homeAlarmGiB: 2048 }], { alarmGiB: 500 }),
    );
    expect(settings.homes.owners.map((o) => o.alarmGiB)).to.deep.equal([500, 2048]);
    expect(decodedSettings(withUsers([{ id: "alice" }])).homes.owners[0]?.alarmGiB).to.equal(100);
    expect(settingsProblems(withUsers([{ id: "alice", homeAlarmGiB: 0 }])).join()).to.match(
      /whole number of GiB/,
    );
  });

  it("lists a retired user once, like anyone else", () => {
    expect(
      settingsProblems(withUsers([{ id: "alice" }, { id: "alice", retired: true }])),
    ).to.deep.equal(["users: alice is listed more than once."]);
  });
});

describe("homes and EFS's mount targets", () => {
  const users = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ id: `user${i}`, uid: 10_000 + i }));

  it("refuses more homes than a VPC has mount targets for, counting retired users", () => {
    expect(settingsProblems(withUsers(users(200)))).to.deep.equal([]);
    expect(
      settingsProblems(withUsers([...users(200), { id: "late", retired: true, uid: 9000 }])),
    ).to.deep.equal([
      "users: 201 homes in 2 zones need 402 EFS mount targets, and a VPC holds at most 400: use fewer zones (network.zones), or at most 200 users, retired ones included.",
    ]);
  });
});
