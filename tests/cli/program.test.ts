import { expect } from "chai";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseDuration } from "../../cli/wait-for-cluster.js";
import { fixturePath } from "../support/fixtures.js";
import { cli } from "../support/run-cli.js";

const tmpFile = (name: string, text: string) => {
  const file = path.join(tmpdir(), `fd-cli-${process.pid}-${name}`);
  writeFileSync(file, text);
  return file;
};

describe("flightdeck command line: arguments", () => {
  it("validates the seed example offline", async () => {
    const { code, stdout } = await cli(["validate", fixturePath("configs/seed-example.json")]);
    expect(code).to.equal(0);
    expect(stdout).to.contain("is a valid cluster config");
    expect(stdout).to.contain("ComputeMaxNodes = 25");
  });

  it("reports every error with its field name and exits 1", async () => {
    const file = tmpFile(
      "bad.json",
      '{"ComputeMaxNodes": "-1", "FlightProfiles": "bob", "Colour": "red"}',
    );
    const { code, stderr, stdout } = await cli(["validate", file]);
    expect(code).to.equal(1);
    expect(stdout).to.equal("");
    expect(stderr).to.contain("FlightProfiles is set by FlightDeck itself");
    expect(stderr).to.contain('"Colour" is not a cluster setting');
    expect(stderr).to.contain('ComputeMaxNodes must be a whole number from 1 to 1000 (got "-1")');
  });

  it("prints validation results as JSON with --json", async () => {
    const file = tmpFile("ok.json", '{"ComputeMaxNodes": 4}');
    const { code, stdout } = await cli(["--json", "validate", file]);
    expect(code).to.equal(0);
    expect(JSON.parse(stdout)).to.deep.include({ valid: true, config: { ComputeMaxNodes: "4" } });
    const bad = await cli(["--json", "validate", tmpFile("bad2.json", "[1]")]);
    expect(bad.code).to.equal(1);
    expect(JSON.parse(bad.stdout).valid).to.equal(false);
  });

  it("says clearly when a file cannot be read", async () => {
    const { code, stderr } = await cli(["validate", "/nonexistent/x.json"]);
    expect(code).to.equal(1);
    expect(stderr).to.equal("error: Cannot read /nonexistent/x.json: ENOENT\n");
  });

  it("exits 2 with help for unknown commands and missing arguments", async () => {
    const unknown = await cli(["launch"]);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.contain("unknown command 'launch'");
    const missing = await cli(["create"]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain("missing required argument 'cluster'");
  });

  it("refuses an invalid cluster name before touching AWS", async () => {
    const { code, stderr } = await cli(["create", "my_cluster"]);
    expect(code).to.equal(2);
    expect(stderr).to.contain('"my_cluster" is not a valid cluster name');
  });

  it("never uploads an invalid config: it fails before needing a bucket", async () => {
    const { code, stderr } = await cli([
      "create",
      "c1",
      "-c",
      tmpFile("bad3.json", '{"ComputeMaxNodes": 0}'),
    ]);
    expect(code).to.equal(1);
    expect(stderr).to.contain("is not valid; nothing was uploaded");
  });

  it("asks for the bucket when neither --bucket nor FLIGHTDECK_BUCKET is set", async () => {
    const { code, stderr } = await cli(["--user", "alice", "status"]);
    expect(code).to.equal(2);
    expect(stderr).to.contain("Pass --bucket or set FLIGHTDECK_BUCKET");
  });

  it("rejects a malformed --timeout", async () => {
    const { code, stderr } = await cli(["create", "c1", "--wait", "--timeout", "soon"]);
    expect(code).to.equal(2);
    expect(stderr).to.contain("--timeout soon: use a duration");
  });

  it("has help for every command", async () => {
    for (const command of ["validate", "create", "delete", "status", "list", "render"]) {
      const { code, stdout } = await cli([command, "--help"]);
      expect(code, command).to.equal(0);
      expect(stdout, command).to.match(/^Usage: flightdeck /);
    }
  });

  it("parses durations", () => {
    expect(parseDuration("90s")).to.equal(90_000);
    expect(parseDuration("45m")).to.equal(2_700_000);
    expect(parseDuration("2h")).to.equal(7_200_000);
    expect(parseDuration("10")).to.equal(600_000);
    expect(parseDuration("ten")).to.equal(undefined);
  });
});
