import { readFileSync } from "node:fs";
import { expect } from "chai";
import { isLeft, isRight } from "fp-ts/lib/Either.js";
import { isValidSshPublicKey, wholeNumberIn } from "../../../stacks/settings/setting-values.js";
import { decodeReadably } from "../../../functions/shared/readable-errors.js";

const keys = JSON.parse(
  readFileSync(new URL("../../fixtures/template/ssh-public-keys.json", import.meta.url), "utf8"),
) as Record<string, string>;
const ed25519 = keys["ed25519"] ?? "";

describe("setting values (stacks/settings/setting-values.ts)", () => {
  describe("isValidSshPublicKey", () => {
    for (const [name, key] of Object.entries(keys)) {
      it(`accepts a real ${name} key, with or without its comment`, () => {
        expect(isValidSshPublicKey(key)).to.equal(true);
        expect(isValidSshPublicKey(key.split(" ").slice(0, 2).join(" "))).to.equal(true);
      });
    }

    const refused: Record<string, string> = {
      "an empty string": "",
      "a type alone": "ssh-ed25519",
      "a DSA key": "ssh-dss AAAAB3NzaC1kc3MAAACBAP",
      "an options prefix": `command="/bin/sh" ${ed25519}`,
      "a second key on a new line": `${ed25519}\n${keys["rsa2048"]}`,
      "a trailing newline": `${ed25519}\n`,
      "a carriage return": `${ed25519}\r`,
      "a tab in the comment": `${ed25519.split(" ").slice(0, 2).join(" ")} a\tb`,
      "a non-ASCII comment": `${ed25519.split(" ").slice(0, 2).join(" ")} élan`,
      "a body that is not base64": "ssh-ed25519 AAAA$(reboot)",
      "a body of another key type": `ssh-rsa ${ed25519.split(" ")[1]}`,
      "badly padded base64": `ssh-ed25519 ${(ed25519.split(" ")[1] ?? "").slice(0, -1)}`,
      "two spaces after the type": ed25519.replace(" ", "  "),
      "an oversized line": `${ed25519} ${"x".repeat(9000)}`,
    };
    for (const [name, key] of Object.entries(refused)) {
      it(`refuses ${name}`, () => {
        expect(isValidSshPublicKey(key)).to.equal(false);
      });
    }
  });

  describe("wholeNumberIn", () => {
    const Nodes = wholeNumberIn("Nodes", 2, 6, "must be a whole number from 2 to 6");

    it("takes every whole number from the least to the most, and says so of the rest", () => {
      for (const n of [2, 3, 6]) {
        expect(isRight(Nodes.decode(n)), String(n)).to.equal(true);
        expect(Nodes.is(n), String(n)).to.equal(true);
      }
      for (const bad of [1, 7, 2.5, "3", null, Number.NaN]) {
        const decoded = decodeReadably(Nodes, bad);
        expect(isLeft(decoded), String(bad)).to.equal(true);
        if (isLeft(decoded))
          expect(decoded.left.join(" ")).to.include("must be a whole number from 2 to 6");
        expect(Nodes.is(bad), String(bad)).to.equal(false);
      }
    });
  });
});
