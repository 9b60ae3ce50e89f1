import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { PROJECT_ROOT } from "../support/run-cli.js";

/* A teardown has one way in, npm run destroy, which knows what it deletes. */

describe("npm run deploy", () => {
  it("sends a teardown (-destroy) to npm run destroy", function () {
    this.timeout(60_000);
    const run = spawnSync("npm", ["run", "--silent", "deploy", "--", "-destroy"], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      env: { PATH: process.env["PATH"], HOME: tmpdir() },
    });
    expect(run.status).to.equal(1);
    expect(run.stderr).to.include("To tear the deployment down, run npm run destroy");
  });
});
