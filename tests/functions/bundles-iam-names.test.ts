import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterName, StackPrefix, UserId } from "../../functions/shared/identifiers.js";
import { LOGIN_METADATA } from "../../functions/shared/result-files.js";
import { stackNameFor } from "../../functions/shared/stack-name.js";
import { policyFromSettings } from "../../stacks/settings/policy.js";
import { loadSettings } from "../../stacks/settings/settings.js";
import { fixtureJson, fixturePath } from "../support/fixtures.js";
import { IAM_NAMES, settingsWithUsers } from "../support/iam-names.js";
import { LocalAws, USER_BUCKET } from "../support/local-aws.js";

/*
 * Any IAM user name through the built bundles over s3rver: the settings
 * provision the users and build the deployment policy, S3 delivers each
 * user's `.cf-create` with its key URL-encoded as S3 does, and each cluster
 * ends with a `.cf-created` naming the login derived from the name.
 */
describe("the built Lambda bundles, for any IAM user name", function () {
  this.timeout(60_000);
  const ids = Object.keys(IAM_NAMES);
  const seedExample = readFileSync(fixturePath("configs/seed-example.json"), "utf8");
  let aws: LocalAws;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "fd-settings-"));
    const path = join(dir, "settings.json");
    writeFileSync(path, JSON.stringify(settingsWithUsers(ids)));
    const settings = loadSettings(path);
    rmSync(dir, { recursive: true, force: true });
    aws = new LocalAws({
      policy: {
        ...policyFromSettings(settings),
        customizer: { bucket: "fd-customizer", prefix: "customizer" },
      },
      template: fixtureJson("templates/seed-like.json"),
      provisioned: ids,
    });
    await aws.start();
  });
  after(async () => aws.stop());

  for (const [id, login] of Object.entries(IAM_NAMES)) {
    it(`builds ${id}'s cluster and tells them to log in as ${login}`, async () => {
      const stackName = stackNameFor("fd" as StackPrefix, id as UserId, "c1" as ClusterName);
      const event = await aws.upload(`home/${id}/c1.cf-create`, seedExample);
      await aws.deliver(event);
      const stack = aws.cfn.live(stackName);
      expect(stack?.parameters, `a stack named ${stackName}`).to.include({
        AccessUsername: login,
        FlightProfiles: id,
      });
      expect(stack?.tags).to.include({ USER: id, CLUSTER: "c1" });

      aws.cfn.transition(stackName, "CREATE_COMPLETE", { outputs: { LoginIp: "203.0.113.7" } });
      await aws.statusEvent(stackName);
      expect(await aws.home(id)).to.deep.equal({ "c1.cf-created": "203.0.113.7\n" });
      const metadata = await aws.metadata(USER_BUCKET, `home/${id}/c1.cf-created`);
      expect(metadata).to.deep.include({ [LOGIN_METADATA]: login });
      const email = aws.cfn.emails.pop();
      expect(email?.text).to.contain(`Login: ssh ${login}@203.0.113.7`);
      expect(email?.subject).to.equal(`[FlightDeck] ${id}/c1 is ready at 203.0.113.7`);
    });
  }
});
