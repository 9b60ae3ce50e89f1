import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ClusterName, StackPrefix, UserId } from "../../functions/shared/identifiers.js";
import { stackNameFor } from "../../functions/shared/stack-name.js";
import { policyFromSettings } from "../../stacks/settings/policy.js";
import { loadSettings } from "../../stacks/settings/settings.js";
import { IAM_NAMES, settingsWithUsers } from "../support/iam-names.js";
import type { LocalAws } from "../support/local-aws.js";
import type { CliRun } from "../support/run-cli.js";
import { flightdeckAs, until, usersAws } from "../support/user-session.js";

/*
 * The built `flightdeck` command for people with real-world names, end to
 * end: STS (the fake) says who the caller is, an IAM user or an IAM Identity
 * Center session, and nobody passes --user. The command uploads into that
 * user's home, the built bundles build the cluster, and the command prints
 * the ssh line with the login the deployment derived.
 */

const LOGIN_IP = "203.0.113.9";
const SSO_USER = "Bob.Jones@example.com";
const SSO_LOGIN = "bob_jones_example_com";
const SSO_ROLE = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_FlightDeckUsers_0a1b2c3d";

describe("flightdeck command line for any IAM user name, or an SSO user, end to end", function () {
  this.timeout(120_000);
  let aws: LocalAws;
  let workdir: string;

  before(async () => {
    workdir = mkdtempSync(path.join(tmpdir(), "fd-user-"));
    const ids = [...Object.keys(IAM_NAMES), SSO_USER];
    const settingsFile = path.join(workdir, "settings.json");
    // The seed-like template's master volume is 500 GiB, above the limit settings get by default.
    const limits = { maxComputeNodes: 32, maxMasterVolumeSize: 500 };
    writeFileSync(settingsFile, JSON.stringify(settingsWithUsers(ids, { limits })));
    aws = usersAws(
      {
        ...policyFromSettings(loadSettings(settingsFile)),
        customizer: { bucket: "fd-customizer", prefix: "customizer" },
      },
      ids,
    );
    await aws.start();
  });
  after(async () => {
    await aws.stop();
    rmSync(workdir, { recursive: true, force: true });
  });

  const flightdeck = (args: string[], env: Record<string, string> = {}) =>
    flightdeckAs(aws, workdir, args, env);

  /** `flightdeck create c1 --wait` as `callerArn`, with CloudFormation completing the stack. */
  async function createCluster(id: string, callerArn: string): Promise<CliRun> {
    aws.cfn.callerArn = callerArn;
    const stackName = stackNameFor("fd" as StackPrefix, id as UserId, "c1" as ClusterName);
    const run = flightdeck(["create", "c1", "--wait"]);
    const stack = await until(stackName, () => aws.cfn.live(stackName));
    aws.cfn.transition(stackName, "CREATE_COMPLETE", { outputs: { LoginIp: LOGIN_IP } });
    await aws.statusEvent(stackName);
    const result = await run;
    expect(stack.tags["USER"]).to.equal(id);
    return result;
  }

  for (const [id, login] of Object.entries(IAM_NAMES)) {
    it(`IAM user ${id} creates a cluster and is told to log in as ${login}`, async () => {
      const result = await createCluster(id, `arn:aws:iam::111122223333:user/staff/${id}`);
      expect(aws.invocationErrors).to.deep.equal([]);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stderr).to.contain(`(s3://fd-users/home/${id}/c1.cf-create)`);
      expect(result.stdout).to.contain(`ssh ${login}@${LOGIN_IP}`);
      expect(Object.keys(await aws.home(id))).to.deep.equal(["c1.cf-created"]);

      const status = await flightdeck(["--json", "status", "c1"]);
      const [row] = JSON.parse(status.stdout) as Array<Record<string, unknown>>;
      expect(row).to.deep.include({ cluster: "c1", state: "running", ip: LOGIN_IP, login });
    });
  }

  it("an IAM Identity Center user is found by the session name and told their login", async () => {
    const result = await createCluster(SSO_USER, `${SSO_ROLE}/${SSO_USER}`);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain(`ssh ${SSO_LOGIN}@${LOGIN_IP}`);
    const status = await flightdeck(["status"]);
    expect(status.stdout).to.match(new RegExp(`c1\\s+running\\s+(\\S+\\s+){5}ssh ${SSO_LOGIN}@`));
  });

  it("refuses FLIGHTDECK_USER naming someone other than the IAM user, and uploads nothing", async () => {
    aws.cfn.callerArn = "arn:aws:iam::111122223333:user/Alice.Smith";
    const before = await aws.allKeys();
    const run = await flightdeck(["create", "c2"], { FLIGHTDECK_USER: "john.smith" });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain(
      '--user/FLIGHTDECK_USER says "john.smith", but your credentials are IAM user "Alice.Smith"',
    );
    expect(await aws.allKeys()).to.deep.equal(before);
  });
});
