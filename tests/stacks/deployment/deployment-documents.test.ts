import { expect } from "chai";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodePolicy } from "../../../functions/shared/deployment-policy.js";
import {
  ClusterTemplateError,
  loadClusterTemplate,
} from "../../../stacks/deployment/cluster-template.js";
import { DeploymentDocuments } from "../../../stacks/deployment/deployment-documents.js";
import { policyFromSettings } from "../../../stacks/settings/policy.js";
import {
  FIXTURE_TEMPLATE_PATH,
  fixtureSettings,
  resourcesOf,
  synthScope,
  unescapeTerraform,
} from "../support/synth.js";

describe("DeploymentDocuments", () => {
  const template = loadClusterTemplate(FIXTURE_TEMPLATE_PATH);
  const policy = policyFromSettings(fixtureSettings());
  let documents: DeploymentDocuments | undefined;
  const synthesized = synthScope((scope) => {
    documents = new DeploymentDocuments(scope, "documents", {
      bucket: "fd-customizer",
      region: "eu-west-2",
      template,
      policy,
    });
  });
  const objects = Object.values(resourcesOf(synthesized, "aws_s3_object"));
  const byKey = new Map(objects.map((o) => [String(o["key"]), o]));

  it("uploads the template under a key named by the SHA-256 of its bytes", () => {
    const sha = createHash("sha256").update(readFileSync(FIXTURE_TEMPLATE_PATH)).digest("hex");
    expect(documents?.templateKey).to.equal(`flightdeck/templates/cluster-${sha}.json`);
    expect(String(byKey.get(documents?.templateKey ?? "")?.["source"])).to.match(
      /^assets\/documents_template-file_/,
    );
  });

  it("gives cf-create the virtual-hosted URL of the template, which lifts the 51,200-byte body limit", () => {
    expect(documents?.templateUrl).to.equal(
      `https://fd-customizer.s3.eu-west-2.amazonaws.com/${documents?.templateKey}`,
    );
  });

  it("uploads the policy as JSON the Lambdas can decode, under a content-hashed key", () => {
    const object = byKey.get(documents?.policyKey ?? "");
    const text = unescapeTerraform(String(object?.["content"]));
    expect(decodePolicy(JSON.parse(text))._tag).to.equal("Right");
    expect(documents?.policyKey).to.equal(
      `flightdeck/policy-${createHash("sha256").update(text).digest("hex")}.json`,
    );
  });

  it("creates a new version before the old one is removed", () => {
    for (const object of objects)
      expect(object["lifecycle"]).to.deep.equal({ create_before_destroy: true });
  });
});

describe("loadClusterTemplate", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "fd-template-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a file that is not JSON", () => {
    writeFileSync(join(dir, "t.json"), "Resources: {}");
    expect(() => loadClusterTemplate(join(dir, "t.json"))).to.throw(
      ClusterTemplateError,
      /cannot be read as a JSON file/,
    );
  });

  it("refuses JSON that is not a template, saying why", () => {
    writeFileSync(join(dir, "t.json"), JSON.stringify({ Parameters: {} }));
    expect(() => loadClusterTemplate(join(dir, "t.json"))).to.throw(
      ClusterTemplateError,
      /Resources/,
    );
  });
});
