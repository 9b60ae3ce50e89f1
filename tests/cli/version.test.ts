import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import { cli, PROJECT_ROOT } from "../support/run-cli.js";

/*
 * `flightdeck --version` says which flightdeck it is
 * and which deployment (bucket) its commands would talk to, offline.
 */

const { version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
  version: string;
};

describe("flightdeck --version", () => {
  it("prints the version and the bucket from FLIGHTDECK_BUCKET, with its region", async () => {
    const run = await cli(["--version"], {
      FLIGHTDECK_BUCKET: "fd-users",
      AWS_REGION: "eu-west-2",
    });
    expect(run.code).to.equal(0);
    expect(run.stderr).to.equal("");
    expect(run.stdout).to.equal(`flightdeck ${version}\nbucket: s3://fd-users in eu-west-2\n`);
  });

  it("takes --bucket wherever it stands, and -V", async () => {
    for (const args of [
      ["--bucket", "fd-other", "--version"],
      ["--version", "--bucket", "fd-other"],
      ["-V", "--bucket=fd-other"],
    ]) {
      const run = await cli(args, { FLIGHTDECK_BUCKET: "fd-users" });
      expect(run.code, args.join(" ")).to.equal(0);
      expect(run.stdout, args.join(" ")).to.equal(`flightdeck ${version}\nbucket: s3://fd-other\n`);
    }
  });

  it("says when no bucket is set, and how to set one", async () => {
    const run = await cli(["--version"]);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal(
      `flightdeck ${version}\nbucket: not set (pass --bucket or set FLIGHTDECK_BUCKET; your administrator knows it)\n`,
    );
  });

  it("answers in JSON with --json", async () => {
    const run = await cli(["--json", "--version"], { FLIGHTDECK_BUCKET: "fd-users" });
    expect(JSON.parse(run.stdout)).to.deep.equal({ version, bucket: "fd-users", region: null });
  });
});
