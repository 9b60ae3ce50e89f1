import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/*
 * The Terraform override that points a synthesized FlightDeck stack at moto,
 * written beside its cdk.tf.json (Terraform merges `*_override.tf.json`
 * files into the configuration). Everything here is a stand-in for the
 * test alone; each moto gap it works around is named where it is.
 */

/** The file the test writes into the stack folder; synthesis leaves it alone. */
const MOTO_OVERRIDE = "moto_override.tf.json";

/** The AWS services the deployment's resources call, each sent to moto. */
const SERVICES = [
  "cloudwatch",
  "dynamodb",
  "ec2",
  "efs",
  "events",
  "iam",
  "lambda",
  "logs",
  "s3",
  "ses",
  "sns",
  "sqs",
  "ssm",
  "sts",
];

interface Statement {
  readonly Condition?: unknown;
  readonly [key: string]: unknown;
}

interface StackJson {
  readonly provider?: { readonly aws?: ReadonlyArray<{ readonly alias?: string }> };
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Record<string, unknown>>>>>;
}

/**
 * moto gap 1: it evaluates a bucket policy's `Condition`s with no request
 * context, so the TLS-only deny (`aws:SecureTransport` false) and the
 * trigger-upload denies match every object call once the policy lands, and
 * Terraform can no longer read the objects it uploaded. The stand-in keeps
 * each policy's statements without conditions, and drops those with them.
 */
function policyWithoutConditions(policy: string): string {
  const document = JSON.parse(policy) as { Statement: Statement[] };
  const kept = document.Statement.filter((statement) => statement.Condition === undefined);
  return JSON.stringify({ ...document, Statement: kept });
}

/** The override for the stack synthesized in `stackDir`, with every service at `url`. */
function motoOverride(stackDir: string, url: string): object {
  const stack = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as StackJson;
  const endpoints = Object.fromEntries(SERVICES.map((service) => [service, url]));
  const provider = (stack.provider?.aws ?? [{}]).map((aws) => ({
    ...(aws.alias === undefined ? {} : { alias: aws.alias }),
    endpoints: [endpoints],
    // moto serves buckets by path, not by host name.
    s3_use_path_style: true,
  }));
  const policies = stack.resource?.["aws_s3_bucket_policy"] ?? {};
  const backups = stack.resource?.["aws_efs_backup_policy"] ?? {};
  const resource: Record<string, object> = {};
  if (Object.keys(policies).length > 0) {
    resource["aws_s3_bucket_policy"] = Object.fromEntries(
      Object.entries(policies).map(([name, policy]) => [
        name,
        { policy: policyWithoutConditions(String(policy["policy"])) },
      ]),
    );
  }
  // moto gap 2: EFS's PutBackupPolicy is not implemented (moto 5.2.1 answers
  // 500, and the provider retries for 20 minutes), so the homes' backup
  // policies are left out.
  if (Object.keys(backups).length > 0) {
    resource["aws_efs_backup_policy"] = Object.fromEntries(
      Object.keys(backups).map((name) => [name, { count: 0 }]),
    );
  }
  // moto gap 3: it returns a queue's RedrivePolicy re-serialized with spaces
  // (`{"deadLetterTargetArn": …, "maxReceiveCount": 3}`), which the provider
  // reads as a change on every plan; AWS returns it as sent.
  const queues = stack.resource?.["aws_sqs_queue"] ?? {};
  const redriven = Object.keys(queues).filter(
    (name) => queues[name]?.["redrive_policy"] !== undefined,
  );
  if (redriven.length > 0) {
    resource["aws_sqs_queue"] = Object.fromEntries(
      redriven.map((name) => [name, { lifecycle: { ignore_changes: ["redrive_policy"] } }]),
    );
  }
  // moto gap 4: it drops the description of a security group rule made with
  // AuthorizeSecurityGroupIngress's rule form, so every plan would set it again.
  const rules = stack.resource?.["aws_vpc_security_group_ingress_rule"] ?? {};
  if (Object.keys(rules).length > 0) {
    resource["aws_vpc_security_group_ingress_rule"] = Object.fromEntries(
      Object.keys(rules).map((name) => [name, { lifecycle: { ignore_changes: ["description"] } }]),
    );
  }
  return { provider: { aws: provider }, resource };
}

/** Writes {@link motoOverride} into `stackDir`. */
export function writeMotoOverride(stackDir: string, url: string): void {
  writeFileSync(
    join(stackDir, MOTO_OVERRIDE),
    `${JSON.stringify(motoOverride(stackDir, url), null, 2)}\n`,
  );
}
