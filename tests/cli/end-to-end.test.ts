import { expect } from "chai";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fixturePath } from "../support/fixtures.js";
import type { LocalAws } from "../support/local-aws.js";
import { type CliRun, PROJECT_ROOT } from "../support/run-cli.js";
import { flightdeckAs, until, usersAws } from "../support/user-session.js";

/*
 * The whole loop, as a user lives it: the built `flightdeck` command (spawned
 * through cli/bin.mjs, as `npx flightdeck` runs it) → S3 (s3rver) → the built
 * cf-create/cf-delete bundles, invoked by the upload as S3 notifications
 * would → (fake) CloudFormation → a stack-status event, played by this test →
 * result file → the CLI. The session is written into the README between
 * markers, and checked.
 */

const README = path.join(PROJECT_ROOT, "README.md");
const START = "<!-- session:start (written by tests/cli/end-to-end.test.ts) -->";
const END = "<!-- session:end -->";
const LOGIN_IP = "203.0.113.7";

const policy = {
  deployment: "fdtest",
  nodePermissionsBoundary: "arn:aws:iam::111122223333:policy/flightdeck/fdtest-node-boundary",
  userBucket: "fd-users",
  stackPrefix: "fd",
  customizer: { bucket: "fd-customizer", prefix: "customizer" },
  defaults: {},
  limits: { maxComputeNodes: 30, lifetimeHours: 8, maxLifetimeHours: 24 },
  users: {},
  tags: {},
};

describe("flightdeck command line, end to end over s3rver and the built bundles", function () {
  this.timeout(60_000);
  let aws: LocalAws;
  let workdir: string;
  const transcript: string[] = [];

  before(async () => {
    // The user's working folder: their config files, and nothing else.
    workdir = mkdtempSync(path.join(tmpdir(), "fd-user-"));
    copyFileSync(fixturePath("configs/seed-example.json"), path.join(workdir, "cluster.json"));
    writeFileSync(path.join(workdir, "bad.json"), '{"ComputeMaxNodes": "lots"}\n');
    aws = usersAws(policy, ["alice"]);
    await aws.start();
    // FlightDeck's published prices, three hours old, which alice's flightdeck kept last time.
    const prices = JSON.stringify({
      flightdeck: "prices",
      region: "eu-west-2",
      fetchedAt: new Date(Date.now() - 3 * 3600e3).toISOString().replace(/\.\d+Z$/, "Z"),
      onDemand: { "r4.large": 0.156, "r5.large": 0.141, "r6i.large": 0.148, "r7i.large": 0.1555 },
      spot: { "r4.large": { "eu-west-2a": 0.0251 } },
      gp3PerGiBMonth: 0.0928,
    });
    writeFileSync(path.join(workdir, ".flightdeck-prices.json"), prices);
    await aws.put("fd-users", "flightdeck/prices.json", prices);
  });
  after(async () => {
    await aws.stop();
    rmSync(workdir, { recursive: true, force: true });
  });

  /** Runs `flightdeck` in the user's folder, as alice, against the local S3. */
  const flightdeck = (args: string[]) =>
    flightdeckAs(aws, workdir, args, {
      FLIGHTDECK_USER: "alice",
      // The prices alice's flightdeck kept from an earlier run (validate works offline).
      FLIGHTDECK_PRICES: path.join(workdir, ".flightdeck-prices.json"),
    });

  /** Records a command and what it printed, as a terminal would show it. */
  function record(command: string, run: CliRun): void {
    transcript.push(`$ ${command}`, ...`${run.stderr}${run.stdout}`.trimEnd().split("\n"));
  }

  it("validate: the seed's example passes offline", async () => {
    const run = await flightdeck(["validate", "cluster.json"]);
    expect(run.code).to.equal(0);
    record("flightdeck validate cluster.json", run);
  });

  it("create: a bad config is refused and never uploaded", async () => {
    const run = await flightdeck(["create", "c1", "-c", "bad.json"]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain("ComputeMaxNodes must be a whole number");
    expect((await aws.allKeys()).filter((key) => key.startsWith("home/"))).to.deep.equal([]);
    expect(aws.s3Events.filter((e) => e.s3.object.key.startsWith("home/"))).to.have.length(0);
  });

  it("create --wait: follows the cluster until .cf-created and prints the ssh line", async () => {
    const run = flightdeck(["create", "c1", "-c", "cluster.json", "--wait"]);
    const stack = await until("the stack", () => aws.cfn.live("fd-alice-c1"));
    expect(stack.parameters["ComputeMaxNodes"]).to.equal("25");
    await new Promise((r) => setTimeout(r, 500));
    aws.cfn.transition("fd-alice-c1", "CREATE_COMPLETE", { outputs: { LoginIp: LOGIN_IP } });
    await aws.statusEvent("fd-alice-c1");
    const result = await run;
    expect(aws.invocationErrors).to.deep.equal([]);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.contain(`ready at ${LOGIN_IP}`);
    expect(result.stdout).to.contain(`ssh alice@${LOGIN_IP}`);
    record("flightdeck create c1 -c cluster.json --wait", result);
  });

  it("create again: refused while the cluster is running", async () => {
    const run = await flightdeck(["create", "c1"]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/Cluster c1 is already running .* use --force/);
  });

  it("status: shows the running cluster with its login", async () => {
    const run = await flightdeck(["status"]);
    expect(run.code).to.equal(0);
    // 8 hours to live, less the seconds the test has taken; no idle policy in this template;
    // no spend yet (no sweep has run) and no usage ledger in this world, so no most per hour.
    expect(run.stdout).to.match(
      new RegExp(
        `c1\\s+running\\s+\\d+s\\s+7h[45]\\dm\\s+-\\s+-\\s+-\\s+ssh alice@${LOGIN_IP.replace(/\./g, "\\.")}`,
      ),
    );
    record("flightdeck status", run);
    const json = JSON.parse((await flightdeck(["--json", "status", "c1"])).stdout) as Array<
      Record<string, unknown>
    >;
    // Time left counts down while the suite runs: within minutes of 8 hours.
    expect(json[0]).to.deep.include({ cluster: "c1", state: "running", ip: LOGIN_IP });
    expect(json[0]?.["timeLeft"]).to.match(/^7h[45]\dm$/);
    expect(Date.parse(String(json[0]?.["expiresAt"])) - Date.now()).to.be.within(
      7.9 * 3600e3,
      8 * 3600e3,
    );
  });

  it("extend --wait: granted within the maximum lifetime, and status shows the new time left", async () => {
    const run = await flightdeck(["extend", "c1", "--hours", "4", "--wait"]);
    expect(aws.invocationErrors).to.deep.equal([]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/Cluster c1 now expires at \d{4}-\d\d-\d\dT/);
    const json = JSON.parse((await flightdeck(["--json", "status", "c1"])).stdout) as Array<
      Record<string, unknown>
    >;
    expect(json[0]).to.deep.include({ state: "running" });
    expect(json[0]?.["timeLeft"]).to.match(/^11h[45]\dm$/);
  });

  it("extend --wait: refused beyond the maximum, naming it, and the cluster still shows running", async () => {
    const run = await flightdeck(["extend", "c1", "--hours", "100", "--wait"]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain("maximum cluster lifetime of 24 hours");
    expect(run.stderr).to.match(/you can extend by at most 1[12] hours/);
    const json = JSON.parse((await flightdeck(["--json", "status", "c1"])).stdout) as Array<
      Record<string, unknown>
    >;
    expect(json[0]).to.deep.include({ state: "running", ip: LOGIN_IP });
    expect(json[0]?.["timeLeft"]).to.match(/^11h[45]\dm$/);
  });

  it("delete --wait: follows the cluster until .cf-deleted", async () => {
    transcript.push(
      `$ ssh alice@${LOGIN_IP}        # log in, submit jobs with sbatch …; then, when done:`,
    );
    const run = flightdeck(["delete", "c1", "--wait"]);
    await until("the delete", () =>
      aws.cfn.stacks[0]?.status === "DELETE_IN_PROGRESS" ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 500));
    aws.cfn.transition("fd-alice-c1", "DELETE_COMPLETE");
    await aws.statusEvent("fd-alice-c1");
    const result = await run;
    expect(result.code).to.equal(0);
    expect(result.stdout).to.contain("Cluster c1 has been deleted.");
    expect(await aws.home("alice")).to.have.keys("c1.cf-deleted");
    record("flightdeck delete c1 --wait", result);
  });

  it("create --wait: exits non-zero with the reason when the stack fails", async () => {
    const run = flightdeck(["create", "c2", "--wait"]);
    await until("the stack", () => aws.cfn.live("fd-alice-c2"));
    aws.cfn.resourceEvent(
      "fd-alice-c2",
      "Master",
      "AWS::EC2::Instance",
      "CREATE_FAILED",
      "We currently do not have sufficient r4.large capacity.",
    );
    aws.cfn.transition("fd-alice-c2", "ROLLBACK_COMPLETE");
    await aws.statusEvent("fd-alice-c2");
    const result = await run;
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(
      "Master (AWS::EC2::Instance) failed: We currently do not have sufficient r4.large capacity.",
    );
  });

  it("the README's session is this run's real output (UPDATE_README=1 rewrites it)", function () {
    // Elapsed times and ages differ run to run; everything else must match.
    // Elapsed times, ages, time left and the price book's date move with the clock.
    const normalise = (text: string) =>
      text
        .replace(/\d+(\.\d+)?s\b/g, "Ns")
        .replace(/\b\d+h\d+m\b/g, "NhNm")
        .replace(/\b\d{4}-\d{2}-\d{2}\b/g, "YYYY-MM-DD");
    const session = ["```console", ...transcript, "```"].join("\n");
    const readme = readFileSync(README, "utf8");
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, "README session markers").to.be.greaterThan(-1);
    expect(end, "README session markers").to.be.greaterThan(start);
    if (process.env["UPDATE_README"] === "1") {
      // A rewrite checks nothing: refused where a pass must mean something, and shown as skipped.
      if (process.env["CI"]) expect.fail("UPDATE_README=1 is refused under CI.");
      writeFileSync(
        README,
        `${readme.slice(0, start + START.length)}\n${session}\n${readme.slice(end)}`,
      );
      this.skip();
    }
    expect(normalise(readme.slice(start + START.length, end).trim())).to.equal(normalise(session));
  });
});
