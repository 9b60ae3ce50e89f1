import { CloudFormationClient, CreateStackCommand } from "@aws-sdk/client-cloudformation";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import type { StackName } from "../../../../functions/shared/stack-name.js";
import { Stacks } from "../../../../functions/shared/runtime/stacks.js";
import type { CreateStackPlan } from "../../../../functions/shared/template-merge.js";

const plan: CreateStackPlan = {
  stackName: "fd-alice-c1" as StackName,
  parameters: [{ ParameterKey: "ComputeMaxNodes", ParameterValue: "4" }],
  tags: [{ Key: "USER", Value: "alice" }],
  capabilities: [],
  clientRequestToken: "fd-create-abc",
  template: { kind: "body", body: "{}", bytes: 2 },
  vcpus: 0,
};
const ROLE = "arn:aws:iam::111122223333:role/fd-cloudformation";
const URL =
  "https://fd-customizer.s3.eu-west-2.amazonaws.com/flightdeck/templates/cluster-abc.json";
const awsError = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

describe("Stacks.create", () => {
  const client = new CloudFormationClient({
    region: "eu-west-2",
    credentials: { accessKeyId: "a", secretAccessKey: "s" },
  });
  const cfn = mockClient(client);
  const stacks = new Stacks(client);
  afterEach(() => cfn.reset());
  after(() => cfn.restore());

  it("says the stack was started, with its id", async () => {
    cfn.on(CreateStackCommand).resolves({ StackId: "arn:stack/fd-alice-c1/1" });
    expect(await stacks.create(plan, URL, ROLE)).to.deep.equal({
      kind: "started",
      stackId: "arn:stack/fd-alice-c1/1",
    });
    expect(cfn.commandCalls(CreateStackCommand)[0]?.args[0].input).to.include({
      StackName: "fd-alice-c1",
      RoleARN: ROLE,
      TemplateURL: URL,
    });
  });

  it("says a stack of that name exists, rather than throwing", async () => {
    cfn.on(CreateStackCommand).rejects(awsError("AlreadyExistsException", "exists"));
    expect(await stacks.create(plan, URL, ROLE)).to.deep.equal({ kind: "exists" });
  });

  const refusals: Record<string, string> = {
    ValidationError: "CloudFormation refused the cluster: Template format error",
    InsufficientCapabilitiesException: "CloudFormation refused the cluster: Template format error",
    LimitExceededException:
      "The AWS account has reached its CloudFormation stack limit; ask your administrator.",
  };
  for (const [name, reason] of Object.entries(refusals)) {
    it(`turns ${name} into a refusal the user can read`, async () => {
      cfn.on(CreateStackCommand).rejects(awsError(name, "Template format error"));
      expect(await stacks.create(plan, URL, ROLE)).to.deep.equal({ kind: "refused", reason });
    });
  }

  it("throws throttling and other faults, for Lambda to retry", async () => {
    for (const name of ["Throttling", "AccessDenied", "InternalFailure"]) {
      cfn.on(CreateStackCommand).rejects(awsError(name, "no"));
      const thrown = await stacks.create(plan, URL, ROLE).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect((thrown as Error | undefined)?.name, name).to.equal(name);
    }
  });
});
