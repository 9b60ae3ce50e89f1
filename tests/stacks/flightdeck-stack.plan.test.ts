import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TerraformCommandError, terraformAvailable } from "../../scripts/terraform-cli.js";
import { homeGuardProblems } from "../../scripts/home-guard.js";
import type { PlanJson } from "../../scripts/terraform-plan.js";
import type { Settings } from "../../stacks/settings/settings-shape.js";
import { decodeSettings } from "../../stacks/settings/settings.js";
import { rightOf } from "../support/either.js";
import { IAM_NAMES, settingsWithUsers } from "../support/iam-names.js";
import { TRIGGER_FILTERS } from "../../functions/shared/trigger-filters.js";
import {
  asList,
  MONEY_FILE_ENDINGS,
  RESULT_FILE_ENDINGS,
  type Statement,
} from "./support/policies.js";
import { planStack, type PlannedResource } from "./support/plan-stack.js";
import { fixtureSettings } from "./support/synth.js";

const USER_POLICY = "fdtest-user-access";

/** The only conditions a Deny may have: TLS, and trigger uploads that no read could answer. */
const DENIES = [
  { Bool: { "aws:SecureTransport": "false" } },
  {
    Null: { "s3:x-amz-storage-class": "false" },
    StringNotEquals: { "s3:x-amz-storage-class": "STANDARD" },
  },
  { Null: { "s3:x-amz-server-side-encryption-customer-algorithm": "false" } },
];

/*
 * terraform init, validate and plan on the synthesized stack, once for the
 * whole suite and with no AWS account; then checks on what would be built.
 * The same stack with a session-tag identity (IAM Identity Center) is then
 * planned in the initialized folder: one init, two plans.
 */
describe("FlightDeckStack, planned by terraform", function () {
  let dir = "";
  let resources: PlannedResource[] = [];
  let ssoResources: PlannedResource[] = [];
  let initializedCwd = "";
  let fullPlan: PlanJson = {};
  const ofType = (type: string) => resources.filter((r) => r.type === type);

  before(function () {
    if (!terraformAvailable()) {
      if (process.env["CI"])
        throw new Error("terraform is not installed, and CI must run the plan checks.");
      console.warn("      terraform is not installed: skipping the plan checks (CI runs them).");
      this.skip();
    }
    this.timeout(180_000);
    dir = mkdtempSync(join(tmpdir(), "fd-plan-"));
    const iamUsers = planStack(dir, "iam-users", fixtureSettings());
    resources = iamUsers.resources;
    initializedCwd = iamUsers.cwd;
    fullPlan = iamUsers.plan;
    // SSO users named as organisations name them (a tag value holds no comma).
    const identity = { source: "principal-tag", tag: "flightdeck-user" } as const;
    const ids = Object.keys(IAM_NAMES).filter((id) => !id.includes(","));
    const sso: Settings = {
      ...fixtureSettings(),
      identity,
      iamUsers: [],
      users: rightOf(decodeSettings(settingsWithUsers(ids, { identity }))).users,
    };
    ssoResources = planStack(dir, "sso", sso, iamUsers.cwd).resources;
  });

  after(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("plans every part of FlightDeck", () => {
    const types = new Set(resources.map((r) => r.type));
    for (const type of [
      "aws_s3_bucket",
      "aws_s3_bucket_notification",
      "aws_iam_policy",
      "aws_iam_group",
      "aws_iam_role",
      "aws_lambda_function",
      "aws_lambda_function_event_invoke_config",
      "aws_lambda_permission",
      "aws_cloudwatch_event_rule",
      "aws_cloudwatch_event_target",
      "aws_cloudwatch_log_group",
      "aws_sqs_queue",
      "aws_sqs_queue_policy",
      "aws_lambda_event_source_mapping",
      "aws_s3_object",
      "aws_ses_email_identity",
      "aws_dynamodb_table",
      "aws_sns_topic",
      "aws_sns_topic_subscription",
      "aws_cloudwatch_metric_alarm",
    ]) {
      expect(types, type).to.include(type);
    }
    expect(ofType("aws_lambda_function").map((f) => f.values["runtime"])).to.deep.equal([
      "nodejs22.x",
      "nodejs22.x",
    ]);
  });

  it("sends only trigger files to the handlers, so nothing they write can recurse", () => {
    const [notification] = ofType("aws_s3_bucket_notification");
    const filters = (notification?.values["queue"] as Array<Record<string, unknown>>).map((f) => ({
      prefix: f["filter_prefix"],
      suffix: f["filter_suffix"],
      events: f["events"],
    }));
    expect(filters).to.have.deep.members(
      TRIGGER_FILTERS.map((f) => ({
        prefix: f.prefix,
        suffix: f.suffix,
        events: ["s3:ObjectCreated:*"],
      })),
    );
    for (const written of [
      ".cf-created",
      ".cf-deleted",
      ".cf-failed",
      ".cf-extended",
      ".cf-expiring",
    ]) {
      expect(filters.some((f) => `home/alice/c1${written}`.endsWith(String(f.suffix)))).to.equal(
        false,
      );
    }
  });

  it("keeps both buckets private, encrypted and TLS-only", () => {
    expect(ofType("aws_s3_bucket")).to.have.length(2);
    for (const block of ofType("aws_s3_bucket_public_access_block")) {
      expect(block.values).to.include({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
    }
    expect(ofType("aws_s3_bucket_public_access_block")).to.have.length(2);
    for (const encryption of ofType("aws_s3_bucket_server_side_encryption_configuration")) {
      const [rule] = encryption.values["rule"] as Array<{
        apply_server_side_encryption_by_default: Array<{ sse_algorithm: string }>;
      }>;
      expect(rule?.apply_server_side_encryption_by_default[0]?.sse_algorithm).to.equal("AES256");
    }
    expect(ofType("aws_s3_bucket_server_side_encryption_configuration")).to.have.length(2);
    for (const policy of ofType("aws_s3_bucket_policy")) {
      const statements = (JSON.parse(String(policy.values["policy"])) as { Statement: Statement[] })
        .Statement;
      expect(statements).to.deep.include.members([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: ["s3:*"],
          Resource: statements[0]?.Resource,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]);
    }
    expect(ofType("aws_s3_bucket_ownership_controls")).to.have.length(2);
    expect(
      ofType("aws_s3_bucket_ownership_controls").every((o) =>
        JSON.stringify(o.values).includes("BucketOwnerEnforced"),
      ),
    ).to.equal(true);
  });

  it("versions the user bucket and expires old versions only after the set days", () => {
    const [versioning] = ofType("aws_s3_bucket_versioning");
    expect(JSON.stringify(versioning?.values)).to.include('"status":"Enabled"');
    const [lifecycle] = ofType("aws_s3_bucket_lifecycle_configuration");
    expect(JSON.stringify(lifecycle?.values)).to.include('"noncurrent_days":30');
  });

  it("grants no wildcard action in any IAM policy", () => {
    const documents = [
      ...ofType("aws_iam_policy").map((p) => p.values["policy"]),
      ...ofType("aws_iam_role_policy").map((p) => p.values["policy"]),
      ...ofType("aws_s3_bucket_policy").map((p) => p.values["policy"]),
    ];
    expect(documents).to.have.length(7);
    for (const text of documents) {
      expect(text, "every policy is known at plan time").to.be.a("string");
      for (const statement of (JSON.parse(String(text)) as { Statement: Statement[] }).Statement) {
        const wild = asList(statement.Action).filter((a) => a.includes("*"));
        if (statement.Effect === "Allow") expect(wild, JSON.stringify(statement)).to.deep.equal([]);
        else expect(DENIES).to.deep.include(statement.Condition);
      }
    }
  });

  it("reserves concurrency for each function, so a flood fans out no further", () => {
    const reserved = Object.fromEntries(
      ofType("aws_lambda_function").map((f) => [
        f.values["function_name"],
        f.values["reserved_concurrent_executions"],
      ]),
    );
    expect(reserved).to.deep.equal({ "fdtest-cf-create": 10, "fdtest-cf-delete": 10 });
  });

  it("alarms when an event waits in the dead-letter queue, emailing the admin through SNS", () => {
    const alarms = ofType("aws_cloudwatch_metric_alarm").filter(
      (a) => a.values["namespace"] === "AWS/SQS",
    );
    expect(alarms).to.have.length(1);
    const [alarm] = alarms;
    expect(alarm?.values).to.include({
      alarm_name: "fdtest-handler-failures-waiting",
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      comparison_operator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      evaluation_periods: 1,
    });
    expect(alarm?.values["dimensions"]).to.deep.equal({ QueueName: "fdtest-handler-failures" });
    const [subscription] = ofType("aws_sns_topic_subscription");
    expect(subscription?.values).to.include({ protocol: "email", endpoint: "admin@hpc.test" });
    expect(ofType("aws_sns_topic").map((t) => t.values["name"])).to.deep.equal(["fdtest-alarms"]);
  });

  it("builds one network for every cluster: a VPC, a public subnet in each of two zones, one gateway, an S3 endpoint", () => {
    expect(ofType("aws_vpc")).to.have.length(1);
    expect(ofType("aws_vpc")[0]?.values).to.include({
      cidr_block: "10.0.0.0/16",
      enable_dns_hostnames: true,
      enable_dns_support: true,
    });
    const subnets = ofType("aws_subnet").map((s) => [
      s.values["availability_zone"],
      s.values["cidr_block"],
    ]);
    expect(subnets).to.have.deep.members([
      ["eu-west-2a", "10.0.0.0/17"],
      ["eu-west-2b", "10.0.128.0/17"],
    ]);
    expect(ofType("aws_internet_gateway")).to.have.length(1);
    expect(ofType("aws_route")).to.have.length(1);
    expect(ofType("aws_vpc_endpoint").map((e) => e.values["vpc_endpoint_type"])).to.deep.equal([
      "Gateway",
    ]);
  });

  it("keeps each user's home in an encrypted file system of its own, backed up, with a mount target per zone", () => {
    const homes = ofType("aws_efs_file_system");
    expect(homes.map((h) => (h.values["tags"] as Record<string, string>)["USER"])).to.have.members([
      "alice",
      "bob",
    ]);
    for (const home of homes) expect(home.values["encrypted"], home.address).to.equal(true);
    const backups = ofType("aws_efs_backup_policy").map((b) => b.values["backup_policy"]);
    expect(backups).to.deep.equal([[{ status: "ENABLED" }], [{ status: "ENABLED" }]]);
    expect(ofType("aws_efs_mount_target")).to.have.length(4);
    const rules = ofType("aws_vpc_security_group_ingress_rule");
    expect(rules.map((r) => [r.values["ip_protocol"], r.values["from_port"]])).to.deep.equal([
      ["tcp", 2049],
      ["tcp", 2049],
    ]);
    const parameters = ofType("aws_ssm_parameter").map((p) => p.values["name"]);
    expect(parameters).to.have.members([
      "/flightdeck/fdtest/network/vpc-id",
      "/flightdeck/fdtest/network/subnet-ids",
      "/flightdeck/fdtest/homes/alice/file-system-id",
      "/flightdeck/fdtest/homes/alice/client-security-group-id",
      "/flightdeck/fdtest/homes/bob/file-system-id",
      "/flightdeck/fdtest/homes/bob/client-security-group-id",
    ]);
  });

  it("keeps the cluster registry in an on-demand, recoverable, encrypted, protected table", () => {
    const [table] = ofType("aws_dynamodb_table");
    expect(table?.values).to.include({
      name: "fdtest-clusters",
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "user",
      deletion_protection_enabled: true,
    });
    expect(table?.values["point_in_time_recovery"]).to.deep.include({ enabled: true });
    expect(JSON.stringify(table?.values["server_side_encryption"])).to.include('"enabled":true');
  });

  it("routes stack events of FlightDeck's stacks only, by the stack-name prefix", () => {
    const rules = ofType("aws_cloudwatch_event_rule").filter(
      (r) => r.values["event_pattern"] !== undefined && r.values["event_pattern"] !== null,
    );
    expect(rules).to.have.length(2);
    for (const rule of rules) {
      const pattern = JSON.parse(String(rule.values["event_pattern"])) as {
        source: string[];
        detail: { "stack-id": Array<{ wildcard: string }>; "status-details": { status: string[] } };
      };
      expect(pattern.source).to.deep.equal(["aws.cloudformation"]);
      expect(pattern.detail["stack-id"]).to.deep.equal([
        { wildcard: "arn:aws:cloudformation:eu-west-2:123456789012:stack/fd-*" },
      ]);
      expect(pattern.detail["status-details"].status.length).to.be.greaterThan(0);
    }
  });

  it("runs the lifetime sweep in cf-delete every 15 minutes, allowed for that rule alone, stale ticks dropped", () => {
    const [sweep, ...others] = ofType("aws_cloudwatch_event_rule").filter(
      (r) =>
        r.values["schedule_expression"] !== undefined && r.values["schedule_expression"] !== null,
    );
    expect(others).to.deep.equal([]);
    expect(sweep?.values).to.include({
      name: "fdtest-lifetime-sweep",
      schedule_expression: "rate(15 minutes)",
    });
    const target = ofType("aws_cloudwatch_event_target").find(
      (t) => t.values["rule"] === "fdtest-lifetime-sweep",
    );
    expect(target?.values["retry_policy"]).to.deep.equal([
      { maximum_event_age_in_seconds: 900, maximum_retry_attempts: 0 },
    ]);
    expect(target?.values["dead_letter_config"]).to.have.length(1);
    const fromEvents = ofType("aws_lambda_permission").filter(
      (p) => p.values["principal"] === "events.amazonaws.com",
    );
    // One per rule: the two stack-status rules and the schedule; two of them for cf-delete.
    expect(fromEvents.map((p) => p.values["function_name"]).sort()).to.deep.equal([
      "fdtest-cf-create",
      "fdtest-cf-delete",
      "fdtest-cf-delete",
    ]);
  });

  it("lets only cf-delete, which sweeps, Scan the registry and write the lifetime files; cf-create neither", () => {
    const policyOf = (role: string) => {
      // The role's id is known only after apply; its function's name is in the address.
      const found = ofType("aws_iam_role_policy").find((p) => p.address.includes(`.${role}_`));
      return (JSON.parse(String(found?.values["policy"])) as { Statement: Statement[] }).Statement;
    };
    const allowing = (statements: Statement[], action: string) =>
      statements
        .filter((st) => st.Effect === "Allow" && asList(st.Action).includes(action))
        .flatMap((st) => asList(st.Resource));
    const userFiles = (resources: string[]) =>
      resources.filter((r) => r.includes(":::fdtest-users-"));
    const remove = policyOf("cf-delete");
    const create = policyOf("cf-create");
    expect(allowing(remove, "dynamodb:Scan")).to.deep.equal([
      "arn:aws:dynamodb:eu-west-2:123456789012:table/fdtest-clusters",
    ]);
    expect(allowing(create, "dynamodb:Scan")).to.deep.equal([]);
    const suffixes = (resources: string[]) => resources.map((r) => r.slice(r.lastIndexOf("*") + 1));
    const prices = "arn:aws:s3:::fdtest-users-123456789012-eu-west-2/flightdeck/prices.json";
    // Every result file but .cf-created, money's files, and the price book (outside every home).
    expect(suffixes(userFiles(allowing(remove, "s3:PutObject")))).to.have.members([
      ...RESULT_FILE_ENDINGS.filter((ending) => ending !== ".cf-created"),
      ...MONEY_FILE_ENDINGS,
      prices,
    ]);
    expect(suffixes(userFiles(allowing(remove, "s3:GetObject")))).to.deep.equal([
      ".cf-delete",
      ".cf-extend",
      prices,
    ]);
    expect(suffixes(userFiles(allowing(create, "s3:PutObject")))).to.have.members([
      ".cf-created",
      ".cf-failed",
    ]);
  });

  describe("a home whose user left the settings", () => {
    /** A state holding bob's home, as a deployment with bob in it would have. */
    const stateWithBobsHome = () => {
      const home = ofType("aws_efs_file_system").find(
        (r) => (r.values["tags"] as Record<string, string>)["USER"] === "bob",
      );
      const [type, name] = String(home?.address).split(".");
      const tags = { Name: "fdtest-home-bob", USER: "bob" };
      return {
        version: 4,
        terraform_version: "1.11.4",
        serial: 1,
        lineage: "f1a9b5d2-0000-4000-8000-000000000001",
        outputs: {},
        resources: [
          {
            mode: "managed",
            type,
            name,
            provider: 'provider["registry.terraform.io/hashicorp/aws"]',
            instances: [
              {
                schema_version: 0,
                attributes: {
                  id: "fs-0123456789abcdef0",
                  creation_token: "fdtest-home-bob",
                  encrypted: true,
                  tags,
                  tags_all: tags,
                },
              },
            ],
          },
        ],
      };
    };
    /** The fixture settings with bob deleted outright, and `deletable` as given. */
    const withoutBob = (deletable: string[]): Settings => {
      const settings = fixtureSettings();
      return {
        ...settings,
        users: settings.users.filter((u) => u.id !== "bob"),
        homes: {
          owners: settings.homes.owners.filter((o) => o.id !== "bob"),
          deletable,
        },
      };
    };

    it("stops the deploy that would destroy it, and says how to keep it or delete it on purpose", function () {
      this.timeout(120_000);
      const removed = mkdtempSync(join(tmpdir(), "fd-plan-removed-"));
      try {
        const { plan } = planStack(
          removed,
          "removed",
          withoutBob([]),
          initializedCwd,
          stateWithBobsHome(),
        );
        const deletes = (plan.resource_changes ?? []).filter(
          (c) => c.type === "aws_efs_file_system" && c.change.actions.includes("delete"),
        );
        expect(deletes).to.have.length(1);
        const problems = homeGuardProblems(plan, withoutBob([]).homes.deletable);
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(
          /^This plan would destroy bob's home .* and every file in it\./,
        );
        expect(problems[0]).to.include('"retired": true');
        expect(problems[0]).to.include('add "bob" to "homes.deletable"');
        expect(homeGuardProblems(plan, ["bob"])).to.deep.equal([]);
      } finally {
        rmSync(removed, { recursive: true, force: true });
      }
    });

    it("lets a plan that only builds homes through", () => {
      expect(ofType("aws_efs_file_system")).to.have.length(2);
      expect(homeGuardProblems(fullPlan, [])).to.deep.equal([]);
    });

    it("is still protected by Terraform itself while its user is in the settings: a replacement is refused", function () {
      this.timeout(120_000);
      const replaced = mkdtempSync(join(tmpdir(), "fd-plan-replaced-"));
      // An unencrypted file system in the state: encryption can only change by replacing it.
      const state = stateWithBobsHome();
      const attributes = state.resources[0]?.instances[0]?.attributes as Record<string, unknown>;
      attributes["encrypted"] = false;
      try {
        expect(() =>
          planStack(replaced, "replaced", fixtureSettings(), initializedCwd, state),
        ).to.throw(TerraformCommandError, /prevent_destroy/);
      } finally {
        rmSync(replaced, { recursive: true, force: true });
      }
    });
  });

  describe("with a session-tag identity (IAM Identity Center)", () => {
    const userPolicy = (planned: PlannedResource[]) =>
      JSON.parse(
        String(
          planned.find((r) => r.type === "aws_iam_policy" && r.values["name"] === USER_POLICY)
            ?.values["policy"],
        ),
      ) as { Statement: Statement[] };

    it("plans each SSO user's customizer folder under their exact id", () => {
      const keys = ssoResources
        .filter((r) => r.type === "aws_s3_object")
        .map((r) => String(r.values["key"]))
        .filter((key) => key.endsWith("/configure.d/user.sh"));
      expect(keys.sort()).to.deep.equal(
        Object.keys(IAM_NAMES)
          .filter((id) => !id.includes(","))
          .map((id) => `customizer/${id}/configure.d/user.sh`)
          .sort(),
      );
    });

    it("plans the users' policy for a permission set, with no group or memberships", () => {
      const types = ssoResources.map((r) => r.type);
      expect(types).to.include("aws_iam_policy");
      expect(types).not.to.include("aws_iam_group");
      expect(types).not.to.include("aws_iam_group_policy_attachment");
      expect(types).not.to.include("aws_iam_user_group_membership");
      // Per-user resources (each user's user.sh and flood alarm) differ with the users;
      // everything else differs by the group and its attachments alone.
      const perUser = (planned: PlannedResource[]) =>
        planned.filter(
          (r) =>
            String(r.values?.["key"]).endsWith("/configure.d/user.sh") ||
            String(r.values?.["alarm_name"]).startsWith("fdtest-refused-requests-"),
        ).length;
      expect(
        resources.length - perUser(resources) - (ssoResources.length - perUser(ssoResources)),
      ).to.equal(
        ofType("aws_iam_group").length +
          ofType("aws_iam_group_policy_attachment").length +
          ofType("aws_iam_user_group_membership").length,
      );
    });

    it("names the home by the session tag and denies the bucket to sessions without it", () => {
      const statements = userPolicy(ssoResources).Statement;
      const text = JSON.stringify(statements);
      expect(text).to.include("home/${aws:PrincipalTag/flightdeck-user}/*");
      expect(text).not.to.include("aws:username");
      expect(statements.find((s) => s.Sid === "DenyWithoutUserTag")).to.deep.include({
        Effect: "Deny",
        Action: ["s3:*"],
        Condition: { Null: { "aws:PrincipalTag/flightdeck-user": "true" } },
      });
      expect(JSON.stringify(userPolicy(resources).Statement)).to.include("home/${aws:username}/*");
    });
  });
});
