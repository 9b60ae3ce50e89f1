import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect } from "chai";
import fc from "fast-check";
import {
  renderUserScript,
  USER_SCRIPT_PLACEHOLDERS,
  UserScriptError,
} from "../../../stacks/customizer/user-script.js";
import { isValidSshPublicKey } from "../../../stacks/settings/setting-values.js";

const keys = JSON.parse(
  readFileSync(new URL("../../fixtures/template/ssh-public-keys.json", import.meta.url), "utf8"),
) as Record<string, string>;
const template = readFileSync(
  new URL("../../../customizer-scripts/default/configure.d/user.sh", import.meta.url),
  "utf8",
);
const ed25519 = keys["ed25519"] ?? "";
/** The UID the settings recorded for the user. */
const UID = "123456";

/** What bash assigns to FD_LOGIN, FD_UID and FD_SSH_PUBLIC_KEY in a rendered script. */
function assignedValues(script: string): string[] {
  const assignments = script
    .split("\n")
    .filter((line) => /^FD_(LOGIN|UID|SSH_PUBLIC_KEY)=/.test(line))
    .join("\n");
  const result = spawnSync(
    "bash",
    ["-c", `${assignments}\nprintf '%s\\0' "$FD_LOGIN" "$FD_UID" "$FD_SSH_PUBLIC_KEY"`],
    { encoding: "utf8" },
  );
  expect(result.status, result.stderr).to.equal(0);
  return result.stdout.split("\0").slice(0, 3);
}

describe("user.sh rendering (stacks/customizer/user-script.ts)", () => {
  describe("renderUserScript", () => {
    it("puts the login name, UID and key in as shell words that bash reads back exactly", () => {
      const script = renderUserScript(template, {
        login: "alice",
        uid: UID,
        sshPublicKey: ed25519,
      });
      expect(assignedValues(script)).to.deep.equal(["alice", UID, ed25519]);
      expect(script).not.to.match(/__FLIGHTDECK_[A-Z0-9_]+__/);
    });

    it("cannot be injected into: any printable key comment is read back literally", () => {
      const body = ed25519.split(" ").slice(0, 2).join(" ");
      const hostile = [
        "it's",
        "$(touch /tmp/pwned)",
        "`id`",
        "'; rm -rf / #",
        "$&",
        "$'",
        "$`",
        "\\",
        '"',
        "${HOME}",
      ];
      for (const comment of hostile) {
        const key = `${body} ${comment}`;
        expect(isValidSshPublicKey(key), comment).to.equal(true);
        expect(
          assignedValues(
            renderUserScript(template, { login: "alice", uid: UID, sshPublicKey: key }),
          )[2],
        ).to.equal(key);
      }
      fc.assert(
        fc.property(
          fc.string({
            unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
          }),
          (comment) => {
            const key = `${body} ${comment}`;
            expect(
              assignedValues(
                renderUserScript(template, { login: "alice", uid: UID, sshPublicKey: key }),
              )[2],
            ).to.equal(key);
          },
        ),
        { numRuns: 25 },
      );
    });

    it("throws on a UID that is not one FlightDeck gives", () => {
      for (const uid of ["999", "0", "65534", "2147483648", "12a45", "-1000", " 123456"]) {
        expect(
          () => renderUserScript(template, { login: "alice", uid, sshPublicKey: ed25519 }),
          uid,
        ).to.throw(UserScriptError, /UID/);
      }
    });

    it("throws on a malformed key or an id that is not a login name", () => {
      expect(() =>
        renderUserScript(template, {
          login: "alice",
          uid: UID,
          sshPublicKey: `${ed25519}\nrm -rf /`,
        }),
      ).to.throw(UserScriptError, /SSH public key/);
      expect(() =>
        renderUserScript(template, { login: "Alice", uid: UID, sshPublicKey: ed25519 }),
      ).to.throw(UserScriptError);
    });

    it("refuses a template with a missing, repeated or unknown placeholder", () => {
      const user = { login: "alice", uid: UID, sshPublicKey: ed25519 };
      const { login, uid } = USER_SCRIPT_PLACEHOLDERS;
      expect(() => renderUserScript(template.replace(login, "x"), user)).to.throw(/0 times/);
      expect(() => renderUserScript(`${template}\n${uid}`, user)).to.throw(/2 times/);
      expect(() => renderUserScript(`${template}\n__FLIGHTDECK_OTHER__`, user)).to.throw(/unknown/);
    });
  });
});
