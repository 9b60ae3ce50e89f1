import { expect } from "chai";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fixturePath } from "../support/fixtures.js";
import type { LocalAws } from "../support/local-aws.js";
import { localPolicy } from "../support/local-policy.js";
import { type CliRun, PROJECT_ROOT } from "../support/run-cli.js";
import { flightdeckAs, until, usersAws } from "../support/user-session.js";

/*
 * The whole loop, as a user lives it: the built `flightdeck` command (spawned
 * through cli/bin.mjs, as `npx flightdeck` runs it) → S3 (s3rver) → the built
 * cf-create/cf-delete bundles, invoked by the upload as S3 notifications
 * would → (fake) CloudFormation → a stack-status event, played by this test →
 * result file → the CLI.
 *
 * Each case starts a world of its own (servers, alice's folder, the published
 * prices) and makes the clusters it needs itself, so any one runs alone. The
 * README's session is one of them: the user's session start to finish, on a
 * cluster of its own, written into the README between markers and checked.
 *
 * The handlers run in this process, so the expiry they stamp is read off this
 * process's clock; the command reads its own. Times are checked against the
 * clock read before and after: between what they can have been at the least
 * and at the most, never a fixed figure.
 */

const README = path.join(PROJECT_ROOT, "README.md");
const START = "<!-- session:start (written by tests/cli/end-to-end.test.ts) -->";
const END = "<!-- session:end -->";
const LOGIN_IP = "203.0.113.7";
const MINUTE = 60e3;
const HOUR = 3600e3;
/** alice's clusters live 8 hours, and may be extended to 24 hours from their create. */
const LIFETIME_HOURS = 8;
const MAX_LIFETIME_HOURS = 24;

const policy = localPolicy({
  limits: {
    maxComputeNodes: 30,
    lifetimeHours: LIFETIME_HOURS,
    maxLifetimeHours: MAX_LIFETIME_HOURS,
  },
});

/** One row of `flightdeck --json status`, and the local clock read before and after it ran. */
interface StatusSeen {
  readonly row: Record<string, unknown>;
  readonly from: number;
  readonly to: number;
}

/** An instant as the control plane writes it into files: ISO 8601, to the second. */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * Checks a time left the command printed (`7h59m`) for an expiry at
 * `expiresAt`: it read its clock between `from` and `to` and counts whole
 * minutes down, so it printed at least what was left at `to` and at most
 * what was left at `from`.
 */
function expectTimeLeft(printed: unknown, expiresAt: number, from: number, to: number): void {
  const match = /^(\d+)h(\d\d)m$/.exec(String(printed));
  expect(match, `time left ${String(printed)}`).to.not.equal(null);
  const minutes = Number(match?.[1]) * 60 + Number(match?.[2]);
  expect(minutes, `time left ${String(printed)}`).to.be.within(
    Math.floor((expiresAt - to) / MINUTE),
    Math.floor((expiresAt - from) / MINUTE),
  );
}

describe("flightdeck command line, end to end over s3rver and the built bundles", function () {
  this.timeout(60_000);
  let aws: LocalAws;
  let workdir: string;

  beforeEach(async () => {
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
      fetchedAt: new Date(Date.now() - 3 * HOUR).toISOString().replace(/\.\d+Z$/, "Z"),
      onDemand: { "r4.large": 0.156, "r5.large": 0.141, "r6i.large": 0.148, "r7i.large": 0.1555 },
      spot: { "r4.large": { "eu-west-2a": 0.0251 } },
      gp3PerGiBMonth: 0.0928,
    });
    writeFileSync(path.join(workdir, ".flightdeck-prices.json"), prices);
    await aws.put("fd-users", "flightdeck/prices.json", prices);
  });
  afterEach(async () => {
    await aws.stop();
    rmSync(workdir, { recursive: true, force: true });
  });

  /** Runs `flightdeck` in the user's folder, as alice, against the local S3. */
  const flightdeck = (args: string[], onOutput?: (text: string) => void) =>
    flightdeckAs(
      aws,
      workdir,
      args,
      {
        FLIGHTDECK_USER: "alice",
        // The prices alice's flightdeck kept from an earlier run (validate works offline).
        FLIGHTDECK_PRICES: path.join(workdir, ".flightdeck-prices.json"),
      },
      onOutput,
    );

  /**
   * Starts `flightdeck` (a `--wait`) and lets the test wait, 10 s at the most,
   * until it has printed a text: what it shows while it waits, before the
   * test moves CloudFormation on.
   */
  function started(args: string[]): { run: Promise<CliRun>; shows(text: string): Promise<void> } {
    let printed = "";
    const run = flightdeck(args, (text) => (printed += text));
    return {
      run,
      shows: async (text) => {
        try {
          await until(text, () => (printed.includes(text) ? true : undefined));
        } catch {
          expect.fail(
            `flightdeck ${args.join(" ")} never printed "${text}"; it printed:\n${printed}`,
          );
        }
      },
    };
  }

  /** alice's stack for `cluster` once CloudFormation has it and the upload's invocation is over. */
  async function stackBuilding(cluster: string) {
    const stack = await until(`the stack of ${cluster}`, () => aws.cfn.live(`fd-alice-${cluster}`));
    await aws.settled();
    return stack;
  }

  /** CloudFormation completes `cluster`'s stack, and EventBridge tells FlightDeck. */
  async function stackCompletes(cluster: string): Promise<void> {
    await stackBuilding(cluster);
    aws.cfn.transition(`fd-alice-${cluster}`, "CREATE_COMPLETE", {
      outputs: { LoginIp: LOGIN_IP },
    });
    await aws.statusEvent(`fd-alice-${cluster}`);
  }

  /** CloudFormation finishes deleting `cluster`'s stack, and EventBridge tells FlightDeck. */
  async function stackDeleted(cluster: string): Promise<void> {
    const name = `fd-alice-${cluster}`;
    await until(`the delete of ${name}`, () =>
      aws.cfn.stacks.find((s) => s.name === name && s.status === "DELETE_IN_PROGRESS"),
    );
    await aws.settled();
    aws.cfn.transition(name, "DELETE_COMPLETE");
    await aws.statusEvent(name);
  }

  /** Gives alice a running cluster of her own: asked for with the command, its stack completed. */
  async function runningCluster(cluster: string): Promise<void> {
    const run = await flightdeck(["create", cluster, "-c", "cluster.json"]);
    expect(run.code, run.stderr).to.equal(0);
    await stackCompletes(cluster);
    expect(await aws.home("alice")).to.have.property(`${cluster}.cf-created`);
  }

  /** `flightdeck --json status <cluster>`: the cluster's one row, and when it was read. */
  async function statusOf(cluster: string): Promise<StatusSeen> {
    const from = Date.now();
    const run = await flightdeck(["--json", "status", cluster]);
    const to = Date.now();
    expect(run.code, run.stderr).to.equal(0);
    const rows = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    expect(rows).to.have.length(1);
    return { row: rows[0] ?? {}, from, to };
  }

  it("validate: the seed's example passes offline", async () => {
    const run = await flightdeck(["validate", "cluster.json"]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain("cluster.json is a valid cluster config.");
  });

  it("create: a bad config is refused and never uploaded", async () => {
    const run = await flightdeck(["create", "bad", "-c", "bad.json"]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain("ComputeMaxNodes must be a whole number");
    expect((await aws.allKeys()).filter((key) => key.startsWith("home/"))).to.deep.equal([]);
    expect(aws.s3Events.filter((e) => e.s3.object.key.startsWith("home/"))).to.have.length(0);
  });

  it("create --wait: follows the cluster until .cf-created and prints the ssh line", async () => {
    const creating = started(["create", "made", "-c", "cluster.json", "--wait"]);
    const stack = await stackBuilding("made");
    expect(stack.parameters["ComputeMaxNodes"]).to.equal("25");
    await creating.shows("made: pending");
    await stackCompletes("made");
    const result = await creating.run;
    expect(aws.invocationErrors).to.deep.equal([]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain(`ready at ${LOGIN_IP}`);
    expect(result.stdout).to.contain(`ssh alice@${LOGIN_IP}`);
  });

  it("create again: refused while the cluster is running", async () => {
    await runningCluster("again");
    const run = await flightdeck(["create", "again"]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/Cluster again is already running .* use --force/);
  });

  it("status: shows the running cluster with its login, and the time left from its create", async () => {
    const asked = Date.now();
    await runningCluster("seen");
    const running = Date.now();
    const from = Date.now();
    const run = await flightdeck(["status"]);
    const to = Date.now();
    expect(run.code, run.stderr).to.equal(0);
    // No idle policy in this template; no spend yet (no sweep has run) and no usage ledger
    // in this world, so no most per hour.
    const line = new RegExp(
      `^seen\\s+running\\s+\\d+s\\s+(\\S+)\\s+-\\s+-\\s+-\\s+ssh alice@${LOGIN_IP.replace(/\./g, "\\.")}$`,
      "m",
    ).exec(run.stdout);
    expect(line, run.stdout).to.not.equal(null);
    const seen = await statusOf("seen");
    expect(seen.row).to.deep.include({ cluster: "seen", state: "running", ip: LOGIN_IP });
    // The create's invocation took the slot between `asked` and `running`, by this
    // process's clock, and the expiry is kept to the second.
    const expiresAt = Date.parse(String(seen.row["expiresAt"]));
    expect(expiresAt).to.be.within(
      Math.floor(asked / 1000) * 1000 + LIFETIME_HOURS * HOUR,
      running + LIFETIME_HOURS * HOUR,
    );
    expectTimeLeft(line?.[1], expiresAt, from, to);
    expectTimeLeft(seen.row["timeLeft"], expiresAt, seen.from, seen.to);
  });

  it("extend --wait: granted within the maximum lifetime, and status shows the new time left", async () => {
    await runningCluster("grow");
    const before = Date.parse(String((await statusOf("grow")).row["expiresAt"]));
    const run = await flightdeck(["extend", "grow", "--hours", "4", "--wait"]);
    expect(aws.invocationErrors).to.deep.equal([]);
    expect(run.code, run.stderr).to.equal(0);
    // Counted from the expiry, not from the clock: exactly 4 hours later.
    const expiresAt = before + 4 * HOUR;
    expect(run.stdout).to.contain(`Cluster grow now expires at ${isoSeconds(expiresAt)}.`);
    const after = await statusOf("grow");
    expect(after.row).to.deep.include({
      state: "running",
      expiresAt: new Date(expiresAt).toISOString(),
    });
    expectTimeLeft(after.row["timeLeft"], expiresAt, after.from, after.to);
  });

  it("extend --wait: refused beyond the maximum, naming it, and the cluster still shows running", async () => {
    await runningCluster("cap");
    const { expiresAt } = (await statusOf("cap")).row;
    const run = await flightdeck(["extend", "cap", "--hours", "100", "--wait"]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain(`maximum cluster lifetime of ${MAX_LIFETIME_HOURS} hours`);
    // From its expiry, 8 hours after its create, to the 24-hour maximum: 16 whole hours, so
    // long as the cluster has not yet expired, whatever the clock says.
    expect(run.stderr).to.contain(
      `you can extend by at most ${MAX_LIFETIME_HOURS - LIFETIME_HOURS} hours.`,
    );
    const after = await statusOf("cap");
    expect(after.row).to.deep.include({ state: "running", ip: LOGIN_IP, expiresAt });
    expectTimeLeft(after.row["timeLeft"], Date.parse(String(expiresAt)), after.from, after.to);
  });

  it("delete --wait: follows the cluster until .cf-deleted", async () => {
    await runningCluster("gone");
    const deleting = started(["delete", "gone", "--wait"]);
    await deleting.shows("gone: deleting");
    await stackDeleted("gone");
    const result = await deleting.run;
    expect(aws.invocationErrors).to.deep.equal([]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain("Cluster gone has been deleted.");
    expect(await aws.home("alice")).to.have.keys("gone.cf-deleted");
  });

  it("create --wait: exits non-zero with the reason when the stack fails", async () => {
    const creating = started(["create", "broken", "--wait"]);
    await stackBuilding("broken");
    aws.cfn.resourceEvent(
      "fd-alice-broken",
      "Master",
      "AWS::EC2::Instance",
      "CREATE_FAILED",
      "We currently do not have sufficient r4.large capacity.",
    );
    aws.cfn.transition("fd-alice-broken", "ROLLBACK_COMPLETE");
    await aws.statusEvent("fd-alice-broken");
    const result = await creating.run;
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(
      "Master (AWS::EC2::Instance) failed: We currently do not have sufficient r4.large capacity.",
    );
  });

  it("the README's session is a real run of it, start to finish (UPDATE_README=1 rewrites it)", async function () {
    // A rewrite checks nothing: refused where a pass must mean something, and shown as skipped.
    const rewrite = process.env["UPDATE_README"] === "1";
    if (rewrite && process.env["CI"]) expect.fail("UPDATE_README=1 is refused under CI.");
    const transcript: string[] = [];
    /** Records a command and what it printed, as a terminal would show it. */
    const record = (command: string, run: CliRun) =>
      transcript.push(`$ ${command}`, ...`${run.stderr}${run.stdout}`.trimEnd().split("\n"));

    const validated = await flightdeck(["validate", "cluster.json"]);
    expect(validated.code, validated.stderr).to.equal(0);
    record("flightdeck validate cluster.json", validated);

    const creating = started(["create", "c1", "-c", "cluster.json", "--wait"]);
    await creating.shows("c1: pending");
    await stackCompletes("c1");
    const created = await creating.run;
    expect(created.code, created.stderr).to.equal(0);
    record("flightdeck create c1 -c cluster.json --wait", created);

    const status = await flightdeck(["status"]);
    expect(status.code, status.stderr).to.equal(0);
    expect(status.stdout).to.match(/^c1\s+running\s/m);
    record("flightdeck status", status);

    transcript.push(
      `$ ssh alice@${LOGIN_IP}        # log in, submit jobs with sbatch …; then, when done:`,
    );

    const deleting = started(["delete", "c1", "--wait"]);
    await deleting.shows("c1: deleting");
    await stackDeleted("c1");
    const deleted = await deleting.run;
    expect(deleted.code, deleted.stderr).to.equal(0);
    record("flightdeck delete c1 --wait", deleted);
    expect(aws.invocationErrors).to.deep.equal([]);

    // Elapsed times, ages, time left and the price book's date move with the clock;
    // everything else must match.
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
    const shown = () => {
      const text = readFileSync(README, "utf8");
      return normalise(text.slice(text.indexOf(START) + START.length, text.indexOf(END)).trim());
    };
    if (rewrite) {
      writeFileSync(
        README,
        `${readme.slice(0, start + START.length)}\n\n${session}\n\n${readme.slice(end)}`,
      );
      expect(shown(), "the rewritten README").to.equal(normalise(session));
      this.skip();
    }
    expect(shown()).to.equal(normalise(session));
  });
});
