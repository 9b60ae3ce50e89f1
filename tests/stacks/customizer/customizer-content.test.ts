import { expect } from "chai";
import { CustomizerContent, filesUnder } from "../../../stacks/customizer/customizer-content.js";
import { renderUserScript } from "../../../stacks/customizer/user-script.js";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  FIXTURE_SCRIPTS_DIR,
  fixtureSettings,
  resourcesOf,
  synthScope,
  unescapeTerraform,
} from "../support/synth.js";
import { decodeSettings } from "../../../stacks/settings/settings.js";
import { rightOf } from "../../support/either.js";
import { IAM_NAMES, settingsWithUsers } from "../../support/iam-names.js";

describe("CustomizerContent", () => {
  const users = fixtureSettings().users;
  const synthesized = synthScope((scope) => {
    new CustomizerContent(scope, "customizer", {
      bucket: "fd-customizer",
      prefix: "customizer",
      scriptsDir: FIXTURE_SCRIPTS_DIR,
      users,
    });
  });
  const objects = Object.values(resourcesOf(synthesized, "aws_s3_object"));
  const byKey = new Map(objects.map((o) => [String(o["key"]), o]));

  it("uploads the default scripts to <prefix>/default/, but not the user.sh template", () => {
    expect(filesUnder(FIXTURE_SCRIPTS_DIR)).to.deep.equal([
      "configure.d/10-packages.sh",
      "configure.d/user.sh",
    ]);
    const defaults = [...byKey.keys()].filter((key) => key.startsWith("customizer/default/"));
    expect(defaults).to.deep.equal(["customizer/default/configure.d/10-packages.sh"]);
  });

  it("uploads a default script from the stack's assets, re-uploading when its content changes", () => {
    const script = byKey.get("customizer/default/configure.d/10-packages.sh");
    expect(String(script?.["source"])).to.match(
      /^assets\/customizer_default-scripts_[0-9A-F]+\/[0-9A-F]+\/configure\.d\/10-packages\.sh$/,
    );
    expect(String(script?.["source_hash"])).to.match(/^[0-9a-f]{64}$/);
  });

  it("puts each provisioned user's rendered user.sh in <prefix>/<user>/configure.d/", () => {
    const template = readFileSync(`${FIXTURE_SCRIPTS_DIR}/configure.d/user.sh`, "utf8");
    for (const user of users) {
      const object = byKey.get(`customizer/${user.id}/configure.d/user.sh`);
      expect(unescapeTerraform(String(object?.["content"]))).to.equal(
        renderUserScript(template, user),
      );
    }
  });

  it("keeps each IAM name as its folder and renders the account as its login", () => {
    const ids = Object.keys(IAM_NAMES);
    const settings = rightOf(decodeSettings(settingsWithUsers(ids)));
    const named = synthScope((scope) => {
      new CustomizerContent(scope, "customizer", {
        bucket: "fd-customizer",
        prefix: "customizer",
        scriptsDir: FIXTURE_SCRIPTS_DIR,
        users: settings.users,
      });
    });
    const keys = new Map(
      Object.values(resourcesOf(named, "aws_s3_object")).map((o) => [String(o["key"]), o]),
    );
    for (const [id, login] of Object.entries(IAM_NAMES)) {
      const script = unescapeTerraform(
        String(keys.get(`customizer/${id}/configure.d/user.sh`)?.["content"]),
      );
      expect(script, id).to.contain(`FD_LOGIN='${login}'\n`);
    }
  });

  it("has nothing for a user who is no longer listed, so Terraform removes their folder", () => {
    const onlyAlice = synthScope((scope) => {
      new CustomizerContent(scope, "customizer", {
        bucket: "fd-customizer",
        prefix: "customizer",
        scriptsDir: FIXTURE_SCRIPTS_DIR,
        users: users.filter((u) => u.id === "alice"),
      });
    });
    const keys = Object.values(resourcesOf(onlyAlice, "aws_s3_object")).map((o) =>
      String(o["key"]),
    );
    expect(keys.some((key) => key.startsWith("customizer/bob/"))).to.equal(false);
    expect(keys).to.include("customizer/alice/configure.d/user.sh");
  });

  it("escapes the shell's ${…} so Terraform uploads the script unchanged", () => {
    const content = String(byKey.get("customizer/alice/configure.d/user.sh")?.["content"]);
    expect(content).to.include("$${FD_LOGIN}");
  });

  it("refuses a script name nodes would refuse to run, instead of failing every cluster", () => {
    const dir = mkdtempSync(join(tmpdir(), "fd-scripts-"));
    try {
      mkdirSync(join(dir, "configure.d"));
      writeFileSync(
        join(dir, "configure.d", "user.sh"),
        readFileSync(`${FIXTURE_SCRIPTS_DIR}/configure.d/user.sh`),
      );
      writeFileSync(join(dir, "configure.d", ".gitkeep"), "");
      expect(() =>
        synthScope((scope) => {
          new CustomizerContent(scope, "customizer", {
            bucket: "b",
            prefix: "customizer",
            scriptsDir: dir,
            users,
          });
        }),
      ).to.throw(/configure\.d\/\.gitkeep/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
