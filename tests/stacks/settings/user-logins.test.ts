import { expect } from "chai";
import { loginFor } from "../../../functions/shared/deployment-policy.js";
import type { UserId } from "../../../functions/shared/identifiers.js";
import { IAM_NAMES } from "../../support/iam-names.js";
import { policyFromSettings } from "../../../stacks/settings/policy.js";
import {
  decodedSettings,
  MINIMAL_SETTINGS,
  settingsProblems,
  SSH_KEY,
} from "../../support/settings-decoding.js";

const withUsers = (...users: Array<Record<string, unknown>>) => ({
  ...MINIMAL_SETTINGS,
  users: users.map((user) => ({ sshPublicKey: SSH_KEY, ...user })),
});

describe("users' logins in the settings", () => {
  it("accepts every IAM user name and derives its login", () => {
    const settings = decodedSettings(withUsers(...Object.keys(IAM_NAMES).map((id) => ({ id }))));
    expect(Object.fromEntries(settings.users.map((u) => [u.id, u.login]))).to.deep.equal(IAM_NAMES);
  });

  it("records each login in the deployment policy the Lambdas read", () => {
    const policy = policyFromSettings(
      decodedSettings(withUsers({ id: "Alice.Smith" }, { id: "bob", login: "robert" })),
    );
    expect(loginFor(policy, "Alice.Smith" as UserId)).to.equal("alice_smith");
    expect(policy.users["Alice.Smith" as UserId]).to.deep.equal({
      login: "alice_smith",
      uid: "458462",
    });
    expect(loginFor(policy, "bob" as UserId)).to.equal("robert");
  });

  it("takes an explicit login instead of the derived one", () => {
    const settings = decodedSettings(withUsers({ id: "alice@example.com", login: "alice" }));
    expect(settings.users[0]?.login).to.equal("alice");
  });

  it("refuses two users who would derive the same login, naming both", () => {
    expect(settingsProblems(withUsers({ id: "alice.smith" }, { id: "Alice.Smith" }))).to.deep.equal(
      [
        'users: alice.smith and Alice.Smith would both log in as alice_smith; set a different "login" for one of them.',
      ],
    );
  });

  it("refuses an explicit login that another user derives, naming both", () => {
    expect(
      settingsProblems(withUsers({ id: "john_smith" }, { id: "jsmith", login: "john_smith" })),
    ).to.deep.equal([
      'users: john_smith and jsmith would both log in as john_smith; set a different "login" for one of them.',
    ]);
  });

  it("accepts the collision once one of them has its own login", () => {
    const settings = decodedSettings(
      withUsers({ id: "alice.smith" }, { id: "Alice.Smith", login: "asmith" }),
    );
    expect(settings.users.map((u) => u.login)).to.deep.equal(["alice_smith", "asmith"]);
  });

  it("refuses root, default and system accounts as logins, derived or given", () => {
    expect(settingsProblems(withUsers({ id: "Root" }))).to.deep.equal([
      'users: Root: login "root" is a system account on every node (derived from the id); set "login" for Root.',
    ]);
    expect(settingsProblems(withUsers({ id: "alice", login: "slurm" }))).to.deep.equal([
      'users: alice: login "slurm" is a system account on every node; set "login" for alice.',
    ]);
    expect(settingsProblems(withUsers({ id: "x", login: "default" }))[0]).to.match(
      /login "default" is a system account/,
    );
    expect(settingsProblems(withUsers({ id: "_apt" }))).to.deep.equal([]); // derives u_apt
    expect(settingsProblems(withUsers({ id: "x", login: "_apt" }))[0]).to.match(
      /login "_apt" is a system account on every node \(names starting with _ are\)/,
    );
  });

  it("refuses a login that is not a Linux login, naming the field", () => {
    expect(settingsProblems(withUsers({ id: "alice", login: "Alice" }))[0]).to.match(
      /^users: alice: login must be a Linux login: a lowercase letter/,
    );
    expect(settingsProblems(withUsers({ id: "alice", login: "a".repeat(33) }))).to.have.length(1);
  });
});
