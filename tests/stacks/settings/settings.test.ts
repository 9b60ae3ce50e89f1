import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_SETTINGS_PATH,
  loadSettings,
  SettingsError,
  settingsPath,
} from "../../../stacks/settings/settings.js";
import type { UserId } from "../../../functions/shared/identifiers.js";
import { policyFromSettings } from "../../../stacks/settings/policy.js";
import { FIXTURE_SETTINGS_PATH } from "../support/synth.js";
import {
  decodedSettings,
  MINIMAL_SETTINGS,
  settingsProblems,
  SSH_KEY,
} from "../../support/settings-decoding.js";

const KEY = SSH_KEY;
const minimal = MINIMAL_SETTINGS;
const problems = settingsProblems;
const decoded = decodedSettings;

describe("deployment settings", () => {
  it("loads the committed example and the test fixture", () => {
    expect(loadSettings(DEFAULT_SETTINGS_PATH).users.map((u) => u.id)).to.deep.equal([
      "alice",
      "bob",
    ]);
    expect(loadSettings(FIXTURE_SETTINGS_PATH).accountId).to.equal("123456789012");
  });

  it("fills in the defaults", () => {
    const settings = decoded(minimal);
    expect(settings).to.deep.include({
      stackPrefix: "fd",
      identity: { source: "iam-user" },
      template: "template/cluster.json",
      customizer: {
        existingBucket: undefined,
        prefix: "customizer",
        scripts: "customizer-scripts/default",
      },
      retention: { noncurrentVersionDays: 30, logDays: 30 },
      backend: { type: "local", path: "../../../terraform.flightdeck.tfstate" },
      notifications: undefined,
      accountId: undefined,
      concurrency: { create: 10, delete: 10 },
      registry: { deletionProtection: true },
      alarmEmail: undefined,
    });
  });

  it('reserves concurrency as told, or not at all with "unreserved"', () => {
    expect(
      decoded({ ...minimal, concurrency: { create: 4, delete: "unreserved" } }).concurrency,
    ).to.deep.equal({
      create: 4,
      delete: undefined,
    });
    // Two are kept for stack events and the sweep, and uploads need two: 3 leaves them one.
    expect(problems({ ...minimal, concurrency: { create: 3 } })).to.deep.equal([
      'concurrency.create must be a whole number of concurrent executions from 4 to 1000 (2 of them are kept for stack events and the sweep), or "unreserved" (got 3).',
    ]);
  });

  it("emails the dead-letter alarm to alarmEmail, else to the notifications' admin", () => {
    const notifications = { senderEmail: "fd@hpc.test", adminEmail: "admin@hpc.test" };
    expect(decoded({ ...minimal, notifications }).alarmEmail).to.equal("admin@hpc.test");
    expect(decoded({ ...minimal, notifications, alarmEmail: "ops@hpc.test" }).alarmEmail).to.equal(
      "ops@hpc.test",
    );
  });

  it("puts SES in the deployment's region unless told otherwise", () => {
    const settings = decoded({ ...minimal, notifications: { senderEmail: "fd@hpc.test" } });
    expect(settings.notifications).to.deep.equal({
      senderEmail: "fd@hpc.test",
      sesRegion: "eu-west-2",
    });
  });

  it("rejects an unknown key, naming the allowed ones", () => {
    const [message] = problems({ ...minimal, regoin: "eu-west-1" });
    expect(message).to.match(
      /^"regoin" is not a known setting here\. Allowed settings: name, region, accountId/,
    );
  });

  it("rejects an unknown key inside a nested setting, saying where", () => {
    expect(problems({ ...minimal, customizer: { bucket: "x" } })[0]).to.match(
      /^In customizer: "bucket" is not a known/,
    );
  });

  it("names the field of each bad value", () => {
    expect(problems({ ...minimal, region: "Europe", accountId: 123 })).to.deep.equal([
      'region must be an AWS region name such as "eu-west-2" (got "Europe").',
      "accountId must be a 12-digit AWS account id, written as a string (got 123).",
    ]);
  });

  it("requires the name, region and access network", () => {
    expect(problems({})).to.deep.equal([
      "name is required.",
      "region is required.",
      "accessNetwork is required.",
    ]);
  });

  it("rejects a network that is not an IPv4 CIDR", () => {
    expect(problems({ ...minimal, accessNetwork: "10.0.0.300/8" })[0]).to.match(
      /^accessNetwork must be an IPv4 network/,
    );
  });

  it("rejects a user with a malformed SSH key", () => {
    const [message] = problems({
      ...minimal,
      users: [{ id: "alice", sshPublicKey: "ssh-ed25519 not-base64!" }],
    });
    expect(message).to.match(/^users: alice: sshPublicKey must be an OpenSSH public key/);
  });

  it("rejects a user id IAM would not allow, naming the field", () => {
    const [message] = problems({ ...minimal, users: [{ id: "alice smith", sshPublicKey: KEY }] });
    expect(message).to.match(/^users\[0\]: id must be an IAM user name: 1 to 64 letters/);
    expect(
      problems({ ...minimal, users: [{ id: "a".repeat(65), sshPublicKey: KEY }] }),
    ).to.have.length(1);
  });

  it("rejects a user listed twice", () => {
    const user = { id: "alice", sshPublicKey: KEY };
    expect(problems({ ...minimal, users: [user, user] })).to.deep.equal([
      "users: alice is listed more than once.",
    ]);
  });

  it("keeps AccessNetwork out of the parameter defaults: accessNetwork sets it", () => {
    expect(problems({ ...minimal, defaults: { AccessNetwork: "0.0.0.0/0" } })).to.deep.equal([
      "defaults: set AccessNetwork with the top-level accessNetwork setting instead.",
    ]);
  });

  it("refuses defaults for parameters FlightDeck sets itself", () => {
    expect(problems({ ...minimal, defaults: { AccessUsername: "root" } })[0]).to.match(
      /AccessUsername/,
    );
  });

  it("refuses tags FlightDeck sets itself, through the deployment policy's own rules", () => {
    expect(problems({ ...minimal, tags: { USER: "x" } })).to.deep.equal([
      "In the deployment policy: Tag USER is set by FlightDeck itself.",
    ]);
  });

  it("accepts an S3 backend, locking with a lock file by default", () => {
    const settings = decoded({
      ...minimal,
      backend: { type: "s3", bucket: "tf", key: "fd.tfstate", region: "eu-west-2" },
    });
    expect(settings.backend).to.deep.equal({
      type: "s3",
      bucket: "tf",
      key: "fd.tfstate",
      region: "eu-west-2",
      useLockfile: true,
    });
  });

  it("names the backend fields that are wrong", () => {
    expect(problems({ ...minimal, backend: { type: "s3", bucket: "tf" } })).to.deep.equal([
      "backend.key is required.",
      "backend.region is required.",
    ]);
    expect(problems({ ...minimal, backend: { type: "consul" } })[0]).to.match(
      /^backend must be \{"type": "local"\}/,
    );
  });

  it("rejects a log retention CloudWatch does not offer", () => {
    expect(problems({ ...minimal, retention: { logDays: 10 } })[0]).to.match(
      /^retention\.logDays must be one of/,
    );
  });

  describe("loading a file", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "fd-settings-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("says when the file is not JSON", () => {
      writeFileSync(join(dir, "s.json"), "{ name: flightdeck }");
      expect(() => loadSettings(join(dir, "s.json"))).to.throw(SettingsError, /is not valid JSON/);
    });

    it("says when the file cannot be read", () => {
      expect(() => loadSettings(join(dir, "missing.json"))).to.throw(
        SettingsError,
        /cannot be read/,
      );
    });

    it("lists every problem, one per line", () => {
      writeFileSync(join(dir, "s.json"), JSON.stringify({ name: "X" }));
      expect(() => loadSettings(join(dir, "s.json"))).to.throw(
        SettingsError,
        /\n {2}- name must be a deployment name/,
      );
    });
  });

  it("takes the path from the argument, else FD_SETTINGS, else the example", () => {
    expect(settingsPath("a.json", { FD_SETTINGS: "b.json" })).to.equal("a.json");
    expect(settingsPath(undefined, { FD_SETTINGS: "b.json" })).to.equal("b.json");
    expect(settingsPath(undefined, {})).to.equal("settings/example.json");
  });
});

describe("limits when the settings name none", () => {
  it("bounds clusters, nodes, vCPUs and the master's volume, and a user's own limits still override them", () => {
    const settings = decodedSettings({
      ...MINIMAL_SETTINGS,
      users: [{ id: "alice", sshPublicKey: SSH_KEY, limits: { maxVcpus: 200 } }],
    });
    expect(settings.limits).to.deep.equal({
      maxClusters: "2",
      maxComputeNodes: "16",
      maxVcpus: "64",
      maxMasterVolumeSize: "100",
    });
    const alice = policyFromSettings(settings).users["alice" as UserId];
    expect(alice?.limits).to.deep.equal({ maxVcpus: "200" });
  });

  it("takes the admin's own limit over the default, field by field", () => {
    const settings = decodedSettings({ ...MINIMAL_SETTINGS, limits: { maxClusters: 10 } });
    expect(settings.limits).to.include({ maxClusters: "10", maxVcpus: "64" });
  });
});
