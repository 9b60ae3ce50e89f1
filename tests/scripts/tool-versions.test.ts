import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  NODE_ENGINES,
  nodeVersionProblem,
  terraformVersionProblem,
} from "../../scripts/tool-versions.js";
import { PROJECT_ROOT } from "../support/run-cli.js";

/*
 * One statement of the supported Node.js and Terraform
 * versions, enforced where it can be: package.json's engines says it, and
 * npm run plan refuses a Terraform older than it before doing anything.
 */

describe("the supported Node.js and Terraform versions", () => {
  it("are the ones package.json's engines states", () => {
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as {
      engines: { node: string };
    };
    expect(manifest.engines.node).to.equal(NODE_ENGINES);
  });

  it("take Node.js 20.19+, 22.13+ and 24+, and nothing older on each line", () => {
    const verdicts = Object.fromEntries(
      [
        "v18.20.4",
        "v20.18.3",
        "v20.19.0",
        "v21.7.3",
        "v22.12.0",
        "v22.13.0",
        "v23.11.0",
        "v24.0.0",
        "v25.1.0",
      ].map((version) => [version, nodeVersionProblem(version) === undefined]),
    );
    expect(verdicts).to.deep.equal({
      "v18.20.4": false,
      "v20.18.3": false,
      "v20.19.0": true,
      "v21.7.3": false,
      "v22.12.0": false,
      "v22.13.0": true,
      "v23.11.0": false,
      "v24.0.0": true,
      "v25.1.0": true,
    });
    expect(nodeVersionProblem(process.version)).to.equal(undefined);
  });

  it("take Terraform 1.11 and later", () => {
    expect(
      ["1.9.8", "1.10.5", "1.11.0", "1.11.4", "1.12.1", "2.0.0"].map(
        (v) => terraformVersionProblem(v) === undefined,
      ),
    ).to.deep.equal([false, false, true, true, true, true]);
    expect(terraformVersionProblem("1.10.5")).to.equal(
      "This is Terraform 1.10.5; FlightDeck needs Terraform 1.11 or later. Install it (https://developer.hashicorp.com/terraform/install) and try again.",
    );
  });

  it("npm run plan refuses a Terraform older than 1.11 before it builds anything", function () {
    this.timeout(60_000);
    const bin = mkdtempSync(join(tmpdir(), "fd-old-terraform-"));
    try {
      const fake = join(bin, "terraform");
      writeFileSync(fake, '#!/bin/sh\necho \'{"terraform_version":"1.10.5"}\'\n');
      chmodSync(fake, 0o755);
      const run = spawnSync("npm", ["run", "--silent", "plan"], {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
        env: {
          PATH: `${bin}:${dirname(process.execPath)}:${process.env["PATH"] ?? ""}`,
          HOME: bin,
          // Anything written would go here, not into the project's cdktf.out.
          CDKTF_OUTDIR: join(bin, "cdktf.out"),
        },
      });
      expect(run.status).to.equal(1);
      expect(run.stderr).to.include(
        "This is Terraform 1.10.5; FlightDeck needs Terraform 1.11 or later.",
      );
      expect(run.stdout).not.to.include("flightdeck (the command)");
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
