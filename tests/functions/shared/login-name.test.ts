import { expect } from "chai";
import fc from "fast-check";
import { USER_ID_PATTERN } from "../../../functions/shared/identifiers.js";
import {
  derivedLogin,
  LOGIN_PATTERN,
  loginProblem,
  RESERVED_LOGINS,
} from "../../../functions/shared/login-name.js";

/** The check customizer-scripts/default/configure.d/user.sh makes on the node. */
const USER_SH_CHECK = /^[a-z_][a-z0-9_-]{0,31}$/;

describe("cluster logins", () => {
  describe("derivedLogin", () => {
    it("derives the login from the IAM names organisations use", () => {
      const examples: Record<string, string> = {
        alice: "alice",
        "john.smith": "john_smith",
        "Alice.Smith": "alice_smith",
        "alice@example.com": "alice_example_com",
        "a+b=c,d": "a_b_c_d",
        "Bob-2": "bob-2",
        "1password": "u1password",
        _svc: "u_svc",
        "-x": "u-x",
        "@home": "u_home",
      };
      for (const [id, login] of Object.entries(examples)) {
        expect(derivedLogin(id), id).to.equal(login);
      }
    });

    it("trims a 64-character name to 32 characters", () => {
      const id = `Research.Computing.${"x".repeat(45)}`;
      expect(id).to.have.length(64);
      expect(derivedLogin(id)).to.equal(`research_computing_${"x".repeat(13)}`);
    });

    it("always gives a login user.sh accepts, for every IAM user name", () => {
      fc.assert(
        fc.property(fc.stringMatching(USER_ID_PATTERN), (id) => {
          const login = derivedLogin(id);
          expect(login, id).to.match(USER_SH_CHECK);
          expect(login, id).to.match(LOGIN_PATTERN);
          expect(derivedLogin(id), "deterministic").to.equal(login);
        }),
      );
    });

    it("leaves a login that is already portable as it is", () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[a-z][a-z0-9_-]{0,31}$/), (login) => {
          expect(derivedLogin(login)).to.equal(login);
        }),
      );
    });
  });

  describe("loginProblem", () => {
    it("accepts ordinary logins", () => {
      for (const login of ["alice", "alice_smith", "u1password", "a".repeat(32), "bob-2"])
        expect(loginProblem(login), login).to.equal(undefined);
    });

    it("refuses what is not a Linux login, saying what is", () => {
      for (const login of ["Alice", "a.b", "1abc", "-a", "a".repeat(33), "", "a b"])
        expect(loginProblem(login), login).to.match(/is not a Linux login: use a lowercase letter/);
    });

    it("refuses root, default and the system accounts of the cluster's nodes", () => {
      for (const login of [
        "root",
        "default",
        "daemon",
        "nobody",
        "www-data",
        "ubuntu",
        "slurm",
        "munge",
        "sshd",
        "messagebus",
        // MariaDB's account on the master (slurmdbd's database): a user by that name would own it.
        "mysql",
      ]) {
        expect(RESERVED_LOGINS.has(login), login).to.equal(true);
        expect(loginProblem(login), login).to.equal(
          `login "${login}" is a system account on every node.`,
        );
      }
    });

    it("refuses the _ and systemd- families Debian gives system users", () => {
      for (const login of ["_apt", "_rpc", "_chrony", "systemd-network", "systemd-timesync"])
        expect(loginProblem(login), login).to.match(
          /is a system account on every node \(names starting with/,
        );
    });
  });
});
