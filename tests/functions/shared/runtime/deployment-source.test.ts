import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { deploymentSource } from "../../../../functions/shared/runtime/deployment-source.js";
import { DeploymentFault } from "../../../../functions/shared/runtime/faults.js";
import { body } from "../../../support/handler-harness.js";

const policy = {
  deployment: "fdtest",
  nodePermissionsBoundary: "arn:aws:iam::111122223333:policy/flightdeck/fdtest-node-boundary",
  userBucket: "fd-users",
  stackPrefix: "fd",
  customizer: { bucket: "c", prefix: "customizer" },
  defaults: {},
  limits: {},
  users: {},
  tags: {},
};
const template = { Resources: { I: { Type: "AWS::EC2::Instance" } } };

describe("deployment source", () => {
  const client = new S3Client({
    region: "eu-west-2",
    credentials: { accessKeyId: "a", secretAccessKey: "s" },
  });
  const s3 = mockClient(client);
  afterEach(() => s3.reset());
  after(() => s3.restore());

  it("reads the policy and template once per cold start", async () => {
    s3.on(GetObjectCommand, { Key: "p.json" }).callsFake(() => ({
      Body: body(JSON.stringify(policy)),
    }));
    s3.on(GetObjectCommand, { Key: "t.json" }).callsFake(() => ({
      Body: body(JSON.stringify(template)),
    }));
    const load = deploymentSource(client, {
      bucket: "c",
      policyKey: "p.json",
      templateKey: "t.json",
    });
    const [a, b] = await Promise.all([load(), load()]);
    await load();
    expect(a).to.equal(b);
    expect(a.policy.stackPrefix).to.equal("fd");
    expect(a.template?.Resources).to.have.key("I");
    expect(s3.commandCalls(GetObjectCommand)).to.have.length(2);
  });

  it("explains a broken policy, and tries again on the next event", async () => {
    s3.on(GetObjectCommand).callsFake(() => ({
      Body: body(
        '{"deployment": "fdtest", "nodePermissionsBoundary": "arn:aws:iam::111122223333:policy/b", "userBucket": "u", "stackPrefix": "f-d"}',
      ),
    }));
    const load = deploymentSource(client, { bucket: "c", policyKey: "p.json" });
    let thrown: unknown;
    await load().catch((e: unknown) => (thrown = e));
    expect(thrown).to.be.instanceOf(DeploymentFault);
    expect((thrown as Error).message).to.match(
      /^The deployment policy is invalid: stackPrefix must be a stack prefix/,
    );
    s3.on(GetObjectCommand).callsFake(() => ({ Body: body(JSON.stringify(policy)) }));
    expect((await load()).policy.stackPrefix).to.equal("fd");
  });

  it("calls a template that is not JSON a deployment fault", async () => {
    s3.on(GetObjectCommand, { Key: "p.json" }).callsFake(() => ({
      Body: body(JSON.stringify(policy)),
    }));
    s3.on(GetObjectCommand, { Key: "t.json" }).callsFake(() => ({ Body: body("Resources: {}") }));
    let thrown: unknown;
    await deploymentSource(client, {
      bucket: "c",
      policyKey: "p.json",
      templateKey: "t.json",
    })().catch((e: unknown) => (thrown = e));
    expect((thrown as Error).message).to.equal(
      "The cluster template s3://c/t.json is not valid JSON.",
    );
  });
});
