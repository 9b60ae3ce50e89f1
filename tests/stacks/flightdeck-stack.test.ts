import { expect } from "chai";
import { Testing } from "cdktf";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type * as t from "io-ts";
import {
  CreateEnvironmentCodec,
  DeleteEnvironmentCodec,
} from "../../functions/shared/handler-environment.js";
import { decodeReadably } from "../../functions/shared/readable-errors.js";
import { identityPolicy } from "./support/policies.js";
import { resourcesOf, synthFlightDeck } from "./support/synth.js";

const SNAPSHOT = "tests/stacks/__snapshots__/flightdeck-stack.json";

/** Asset folders and content hashes change with every bundle build; the snapshot keeps their shape only. */
function maskAssets(synthesized: string): string {
  return synthesized
    .replace(
      /assets\/([A-Za-z0-9_-]+?)_[0-9A-F]{8}\/[0-9A-F]{32}\/[^"]+/g,
      "assets/$1_<hash>/<hash>/<file>",
    )
    .replace(/("source_code_hash": )"[0-9A-F]{32}"/g, '$1"<hash>"')
    .replace(/("source_hash": )"[0-9a-f]{64}"/g, '$1"<hash>"');
}

/** The names io-ts declares in an intersection of (partial) object codecs. */
function declaredKeys(codec: t.Mixed): string[] {
  const node = codec as unknown as {
    types?: t.Mixed[];
    type?: t.Mixed;
    props?: Record<string, unknown>;
  };
  if (node.types !== undefined) return node.types.flatMap(declaredKeys);
  // t.exact wraps the object codec that declares the keys.
  if (node.type !== undefined) return declaredKeys(node.type);
  return Object.keys(node.props ?? {});
}

describe("FlightDeckStack", () => {
  const synthesized = synthFlightDeck();
  const functions = resourcesOf(synthesized, "aws_lambda_function");
  const environmentOf = (name: string) =>
    (
      Object.values(functions).find((f) => f["function_name"] === name)?.["environment"] as {
        variables: Record<string, string>;
      }
    ).variables;

  it("matches the golden snapshot (UPDATE_SNAPSHOTS=1 rewrites it)", function () {
    const actual = maskAssets(synthesized);
    if (process.env["UPDATE_SNAPSHOTS"] === "1") {
      // Rewriting is never a pass: CI refuses it, and elsewhere the check is skipped.
      if (process.env["CI"]) expect.fail("UPDATE_SNAPSHOTS=1 is refused under CI.");
      mkdirSync("tests/stacks/__snapshots__", { recursive: true });
      writeFileSync(SNAPSHOT, `${actual}\n`);
      this.skip();
    }
    expect(
      existsSync(SNAPSHOT),
      `${SNAPSHOT} is missing: run UPDATE_SNAPSHOTS=1 npm test`,
    ).to.equal(true);
    expect(JSON.parse(actual)).to.deep.equal(JSON.parse(readFileSync(SNAPSHOT, "utf8")));
  });

  it("gives each handler exactly the environment its codec reads", () => {
    const resolved = (variables: Record<string, string>) => ({
      ...Object.fromEntries(
        Object.entries(variables).map(([k, v]) => [
          k,
          v.startsWith("${aws_iam_role.")
            ? "arn:aws:iam::123456789012:role/fdtest-cloudformation"
            : v,
        ]),
      ),
      AWS_REGION: "eu-west-2",
    });
    const handlers: Array<[string, t.Mixed]> = [
      ["fdtest-cf-create", CreateEnvironmentCodec],
      ["fdtest-cf-delete", DeleteEnvironmentCodec],
    ];
    for (const [name, codec] of handlers) {
      const variables = environmentOf(name);
      expect(decodeReadably(codec, resolved(variables))._tag, name).to.equal("Right");
      expect(declaredKeys(codec)).to.include.members(Object.keys(variables));
      expect(variables).not.to.have.property("AWS_REGION");
    }
    expect(environmentOf("fdtest-cf-create")).to.include({
      FD_SES_REGION: "eu-west-1",
      FD_NOTIFY_ADMIN: "admin@hpc.test",
    });
    expect(environmentOf("fdtest-cf-delete")).not.to.have.property("FD_TEMPLATE_KEY");
  });

  it("points the functions at the documents through their objects, so the objects exist first", () => {
    expect(environmentOf("fdtest-cf-create")["FD_TEMPLATE_KEY"]).to.match(
      /^\$\{aws_s3_object\.documents_template_[0-9A-F]+\.key\}$/,
    );
    expect(environmentOf("fdtest-cf-delete")["FD_POLICY_KEY"]).to.match(
      /^\$\{aws_s3_object\.documents_policy_[0-9A-F]+\.key\}$/,
    );
  });

  it("reads nothing from AWS at plan time: no data sources", () => {
    expect(JSON.parse(synthesized)).not.to.have.property("data");
  });

  it("sends every output an admin needs", () => {
    const outputs = Object.keys(JSON.parse(synthesized).output as object).sort();
    expect(outputs).to.deep.equal([
      "alarm_topic_arn",
      "create_function",
      "customizer_bucket",
      "dead_letter_queue_url",
      "delete_function",
      "home_file_systems",
      "policy_key",
      "registry_table",
      "service_role_arn",
      "subnet_ids",
      "template_key",
      "usage_table",
      "user_bucket",
      "user_group",
      "user_policy_arn",
      "user_policy_name",
      "vpc_id",
    ]);
  });

  it("with a session-tag identity, outputs the users' policy by name and no group", () => {
    const sso = synthFlightDeck((s) => ({
      ...s,
      identity: { source: "principal-tag", tag: "flightdeck-user" },
      iamUsers: [],
    }));
    const output = JSON.parse(sso).output as Record<string, { value: string }>;
    expect(output).not.to.have.property("user_group");
    expect(output["user_policy_name"]?.value).to.equal(
      "${aws_iam_policy.user-access_policy_05DD1E62.name}",
    );
  });

  it("without notifications, has no SES identity, variables or permission", () => {
    const quiet = synthFlightDeck((s) => ({ ...s, notifications: undefined }));
    expect(Testing.toHaveResource(quiet, "aws_ses_email_identity")).to.equal(false);
    const create = Object.values(resourcesOf(quiet, "aws_lambda_function")).map(
      (f) => (f["environment"] as { variables: Record<string, string> }).variables,
    );
    expect(create).to.have.length(2);
    expect(
      create.every((v) =>
        Object.keys(v).every((k) => !k.startsWith("FD_NOTIFY") && k !== "FD_SES_REGION"),
      ),
    ).to.equal(true);
    const actions = identityPolicy(quiet, "fdtest-cf-create").Statement.flatMap((s) => s.Action);
    expect(actions).not.to.include("ses:SendEmail");
  });

  it("with an existing customizer bucket, creates no bucket and writes into that one", () => {
    const existing = synthFlightDeck((s) => ({
      ...s,
      customizer: { ...s.customizer, existingBucket: "alces-flight-abcdef" },
    }));
    const buckets = Object.values(resourcesOf(existing, "aws_s3_bucket")).map((b) => b["bucket"]);
    expect(buckets).to.deep.equal(["fdtest-users-123456789012-eu-west-2"]);
    const objects = Object.values(resourcesOf(existing, "aws_s3_object"));
    expect(objects, "the template, the policy and the customizer scripts").to.have.length.above(2);
    expect(objects.every((o) => o["bucket"] === "alces-flight-abcdef")).to.equal(true);
    expect(objects.every((o) => o["depends_on"] === undefined)).to.equal(true);
  });

  it("does not grant the login-IP lookup when the template has a LoginIp output", () => {
    const sids = identityPolicy(synthesized, "fdtest-cf-create").Statement.map((s) => s.Sid);
    expect(sids).not.to.include("ReadMasterPublicIp");
    expect(sids).not.to.include("FindMasterInstance");
  });
});
