import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixturePath } from "../../support/fixtures.js";
import { IAM_NAMES, LONGEST_IAM_NAME, settingsWithUsers } from "../../support/iam-names.js";
import { cli } from "../../support/run-cli.js";

const seed = fixturePath("configs/seed-example.json");
const seedValues = JSON.parse(readFileSync(seed, "utf8")) as Record<string, string>;

describe("flightdeck render", () => {
  it("prints the seed's parameters for the seed example under the example settings", async () => {
    const { code, stdout } = await cli(["--user", "alice", "render", "c1", "-c", seed]);
    expect(code).to.equal(0);
    const request = JSON.parse(stdout) as {
      StackName: string;
      TemplateURL: string;
      RoleARN: string;
      Parameters: Array<{ ParameterKey: string; ParameterValue: string }>;
      Tags: Array<{ Key: string; Value: string }>;
      OnFailure: string;
    };
    const parameters = Object.fromEntries(
      request.Parameters.map((p) => [p.ParameterKey, p.ParameterValue]),
    );
    expect(parameters).to.include(seedValues);
    expect(parameters).to.include({
      AccessUsername: "alice",
      FlightProfiles: "alice",
      ClusterName: "c1",
    });
    expect(request.StackName).to.equal("fd-alice-c1");
    expect(request.TemplateURL).to.match(
      /^https:\/\/flightdeck-customizer-eu-west-2\.s3\.eu-west-2\.amazonaws\.com\/flightdeck\/templates\/cluster-[0-9a-f]{64}\.json$/,
    );
    expect(request.RoleARN).to.equal("arn:aws:iam::*:role/flightdeck-cloudformation");
    expect(request.Tags).to.deep.include({ Key: "USER", Value: "alice" });
    expect(request.OnFailure).to.equal("ROLLBACK");
  });

  it("reproduces the token of a given upload", async () => {
    const a = JSON.parse(
      (await cli(["--user", "alice", "render", "c1", "--request-id", "v1"])).stdout,
    ).ClientRequestToken;
    const b = JSON.parse(
      (await cli(["--user", "alice", "render", "c1", "--request-id", "v2"])).stdout,
    ).ClientRequestToken;
    expect(a).to.match(/^fd-create-[0-9a-f]{48}$/);
    expect(a).not.to.equal(b);
  });

  it("lists every reason the Lambda would refuse, without any AWS call", async () => {
    const { code, stdout, stderr } = await cli(["--user", "carol", "render", "c1", "-c", seed], {
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    });
    expect(code).to.equal(1);
    expect(stdout).to.equal("");
    expect(stderr).to.contain("User carol is not provisioned for FlightDeck");
  });

  it("applies the example's limits", async () => {
    const big = fixturePath("configs/over-limit.json");
    const { code, stderr } = await cli(["--user", "alice", "render", "c1", "-c", big]);
    expect(code).to.equal(1);
    expect(stderr).to.contain("ComputeMaxNodes is 100, above your limit of 32");
  });

  it("needs --user", async () => {
    const { code, stderr } = await cli(["render", "c1"]);
    expect(code).to.equal(2);
    expect(stderr).to.contain("render needs --user");
  });

  it("names the settings file's problems", async () => {
    const { code, stderr } = await cli([
      "--user",
      "alice",
      "render",
      "c1",
      "--settings",
      "/nonexistent.json",
    ]);
    expect(code).to.equal(1);
    expect(stderr).to.contain("Settings file /nonexistent.json");
  });

  describe("for any IAM user name", () => {
    /** Each user's stack, worked out by hand from the encoding's rules (stack-name.ts): "0" + a letter per symbol. */
    const STACK_NAMES: Readonly<Record<string, string>> = {
      "john.smith": "fd-john0dsmith-c1",
      "Alice.Smith": "fd-Alice0dSmith-c1",
      "alice@example.com": "fd-alice0aexample0dcom-c1",
      "a+b=c,d": "fd-a0pb0ec0cd-c1",
      [LONGEST_IAM_NAME]: `fd-Research0dComputing0d${"x".repeat(45)}-c1`,
    };
    it("has a stack name for every user name", () => {
      expect(Object.keys(STACK_NAMES).sort()).to.deep.equal(Object.keys(IAM_NAMES).sort());
    });

    const dir = mkdtempSync(join(tmpdir(), "fd-render-"));
    const settings = join(dir, "settings.json");
    writeFileSync(settings, JSON.stringify(settingsWithUsers(Object.keys(IAM_NAMES))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    for (const [id, login] of Object.entries(IAM_NAMES)) {
      it(`renders ${id}'s cluster with login ${login}`, async () => {
        const { code, stdout, stderr } = await cli([
          "--user",
          id,
          "render",
          "c1",
          "--settings",
          settings,
        ]);
        expect(code, stderr).to.equal(0);
        const request = JSON.parse(stdout) as {
          StackName: string;
          Parameters: Array<{ ParameterKey: string; ParameterValue: string }>;
          Tags: Array<{ Key: string; Value: string }>;
        };
        const parameters = Object.fromEntries(
          request.Parameters.map((p) => [p.ParameterKey, p.ParameterValue]),
        );
        expect(parameters).to.include({ AccessUsername: login, FlightProfiles: id });
        expect(request.Tags).to.deep.include({ Key: "USER", Value: id });
        expect(request.StackName).to.equal(STACK_NAMES[id]);
        expect(stderr).to.contain(`${id} logs in to this cluster as ${login} (ssh ${login}@`);
      });
    }
  });
});
