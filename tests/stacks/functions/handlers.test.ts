import { expect } from "chai";
import { ServiceRole } from "../../../stacks/cloudformation/service-role.js";
import { loadClusterTemplate } from "../../../stacks/deployment/cluster-template.js";
import { DeploymentDocuments } from "../../../stacks/deployment/deployment-documents.js";
import { DeadLetterQueue } from "../../../stacks/functions/dead-letter-queue.js";
import { Handlers } from "../../../stacks/functions/handlers.js";
import { ClusterRegistryTable } from "../../../stacks/registry/cluster-registry-table.js";
import { namesFor } from "../../../stacks/settings/names.js";
import { policyFromSettings } from "../../../stacks/settings/policy.js";
import { UserBucket } from "../../../stacks/storage/user-bucket.js";
import {
  FIXTURE_BUNDLES_DIR,
  FIXTURE_SCOPE,
  FIXTURE_TEMPLATE_PATH,
  fixtureSettings,
  onlyResource,
  resourcesOf,
  synthScope,
} from "../support/synth.js";

/** Handlers wired to the other constructs they need, under the construct id `id`. */
function synthHandlers(id: string): string {
  const settings = fixtureSettings();
  const names = namesFor(settings);
  const template = loadClusterTemplate(FIXTURE_TEMPLATE_PATH);
  return synthScope((scope) => {
    new Handlers(scope, id, {
      names,
      scope: FIXTURE_SCOPE,
      region: settings.region,
      accountId: settings.accountId,
      stackPrefix: settings.stackPrefix,
      customizerPrefix: settings.customizer.prefix,
      notifications: settings.notifications,
      logRetentionDays: 30,
      bundlesDir: FIXTURE_BUNDLES_DIR,
      template: template.template,
      ssmParameterArns: [],
      userBucket: new UserBucket(scope, "user-bucket", {
        bucketName: names.userBucket,
        scope: FIXTURE_SCOPE,
        noncurrentVersionDays: 30,
      }),
      documents: new DeploymentDocuments(scope, "documents", {
        bucket: names.customizerBucket,
        region: settings.region,
        template,
        policy: policyFromSettings(settings),
      }),
      serviceRole: new ServiceRole(scope, "service-role", {
        roleName: names.serviceRole,
        scope: FIXTURE_SCOPE,
        statements: [],
      }),
      deadLetters: new DeadLetterQueue(scope, "dead-letters", {
        queueName: names.deadLetterQueue,
        scope: FIXTURE_SCOPE,
      }),
      registry: new ClusterRegistryTable(scope, "registry", {
        tableName: names.registryTable,
        scope: FIXTURE_SCOPE,
        deletionProtection: true,
      }),
      concurrency: settings.concurrency,
    });
  });
}

describe("Handlers", () => {
  const synthesized = synthHandlers("handlers");
  const functionId = (name: string) =>
    Object.entries(resourcesOf(synthesized, "aws_lambda_function")).find(
      ([, f]) => f["function_name"] === name,
    )?.[0];

  it("builds cf-create and cf-delete, and only cf-create is told the template key", () => {
    const functions = Object.values(resourcesOf(synthesized, "aws_lambda_function"));
    const variables = (name: string) =>
      (
        functions.find((f) => f["function_name"] === name)?.["environment"] as {
          variables: Record<string, string>;
        }
      ).variables;
    expect(functions.map((f) => f["function_name"])).to.have.members([
      "fdtest-cf-create",
      "fdtest-cf-delete",
    ]);
    expect(variables("fdtest-cf-create")).to.have.property("FD_TEMPLATE_KEY");
    expect(variables("fdtest-cf-delete")).not.to.have.property("FD_TEMPLATE_KEY");
  });

  it("sends each trigger suffix through its handler's upload queue, and each stack-status rule to its handler", () => {
    const notification = onlyResource(synthesized, "aws_s3_bucket_notification") as {
      queue: Array<{ filter_suffix: string; queue_arn: string }>;
    };
    const mappings = Object.values(resourcesOf(synthesized, "aws_lambda_event_source_mapping"));
    // The function the queue a suffix goes to feeds: the mapping whose source is that queue.
    const target = (suffix: string) => {
      const queueArn = notification.queue.find((q) => q.filter_suffix === suffix)?.queue_arn;
      const fed = mappings.filter((m) => m["event_source_arn"] === queueArn);
      expect(fed, `one mapping reads the ${suffix} queue`).to.have.length(1);
      return fed[0]?.["function_name"];
    };
    expect(target(".cf-create")).to.equal(
      `\${aws_lambda_function.${functionId("fdtest-cf-create")}.arn}`,
    );
    expect(target(".cf-delete")).to.equal(
      `\${aws_lambda_function.${functionId("fdtest-cf-delete")}.arn}`,
    );
    expect(target(".cf-extend")).to.equal(
      `\${aws_lambda_function.${functionId("fdtest-cf-delete")}.arn}`,
    );
    const targets = Object.values(resourcesOf(synthesized, "aws_cloudwatch_event_target")).map(
      (t) => t["arn"],
    );
    // The two stack-status rules, and the lifetime sweep's schedule to cf-delete.
    expect(targets).to.have.members([
      `\${aws_lambda_function.${functionId("fdtest-cf-create")}.arn}`,
      `\${aws_lambda_function.${functionId("fdtest-cf-delete")}.arn}`,
      `\${aws_lambda_function.${functionId("fdtest-cf-delete")}.arn}`,
    ]);
  });

  it("lets the dead-letter queue accept what the three rules could not deliver", () => {
    const queues = resourcesOf(synthesized, "aws_sqs_queue");
    const deadLetterId = Object.entries(queues).find(
      ([, q]) => q["name"] === "fdtest-handler-failures",
    )?.[0];
    const policies = Object.values(resourcesOf(synthesized, "aws_sqs_queue_policy")).filter(
      (p) => p["queue_url"] === `\${aws_sqs_queue.${deadLetterId}.url}`,
    );
    expect(policies).to.have.length(1);
    const policy = JSON.parse(String(policies[0]?.["policy"])) as {
      Statement: Array<{ Condition?: { ArnEquals?: { "aws:SourceArn": string[] } } }>;
    };
    expect(policy.Statement[0]?.Condition?.ArnEquals?.["aws:SourceArn"]).to.have.length(3);
  });

  it("gives each upload queue the reservation less two, and parks its failures with the rules'", () => {
    const queues = Object.values(resourcesOf(synthesized, "aws_sqs_queue"));
    const uploads = queues.filter((q) => String(q["name"]).endsWith("-uploads"));
    expect(uploads.map((q) => q["name"])).to.have.members([
      "fdtest-create-uploads",
      "fdtest-delete-uploads",
    ]);
    for (const queue of uploads) {
      expect(JSON.parse(String(queue["redrive_policy"])).deadLetterTargetArn).to.match(
        /^\$\{aws_sqs_queue\.dead-letters_queue_\w+\.arn\}$/,
      );
    }
    const mappings = Object.values(resourcesOf(synthesized, "aws_lambda_event_source_mapping"));
    const reserved = Object.fromEntries(
      Object.values(resourcesOf(synthesized, "aws_lambda_function")).map((f) => [
        `\${aws_lambda_function.${functionId(String(f["function_name"]))}.arn}`,
        Number(f["reserved_concurrent_executions"]),
      ]),
    );
    expect(mappings).to.have.length(2);
    for (const mapping of mappings) {
      const cap = (mapping["scaling_config"] as { maximum_concurrency: number })
        .maximum_concurrency;
      expect(cap).to.equal((reserved[String(mapping["function_name"])] ?? NaN) - 2);
    }
  });

  it("under cdktf's hidden id Default, keeps the logical ids its resources had as the stack's own", () => {
    const ids = Object.keys(resourcesOf(synthHandlers("Default"), "aws_lambda_function"));
    expect(ids.map((id) => id.replace(/_[0-9A-F]{8}$/, ""))).to.have.members([
      "cf-create_function",
      "cf-delete_function",
    ]);
    expect(functionId("fdtest-cf-create")).to.match(/^handlers_cf-create_function_/);
  });
});
