import { isWildcardOnlyAction } from "@cloud-copilot/iam-simulate";
import { expect } from "chai";
import type { CfnTemplate } from "../../../functions/shared/cfn-template.js";
import { GRANTS_BY_TYPE } from "../../../stacks/cloudformation/service-role-grants.js";
import { serviceRoleStatements } from "../../../stacks/cloudformation/service-role-permissions.js";
import { policyDocument } from "../../../stacks/iam/policy-document.js";
import { asList, expectResourcesFit, policiesIn, type FoundPolicy } from "../support/policies.js";
import { FIXTURE_SCOPE, synthFlightDeck } from "../support/synth.js";

/** An action name with a wildcard: `*`, `s3:*`, `ec2:Describe*`. */
const isWildcardAction = (action: string) => action.includes("*") || action.includes("?");

/*
 * Rules over every policy the stack synthesizes, in both ARN modes: with an
 * account id (the fixture) and without one (`*` in the account field).
 */
for (const [mode, synthesized] of [
  ["with an account id", synthFlightDeck()],
  ["without an account id", synthFlightDeck((s) => ({ ...s, accountId: undefined }))],
] as const) {
  describe(`least privilege, ${mode}`, () => {
    const policies = policiesIn(synthesized);
    const identity = policies.filter((p) => p.kind === "identity");
    const allows = (p: FoundPolicy) => p.document.Statement.filter((s) => s.Effect === "Allow");

    it("finds every policy: users, three roles' inline policies, the node boundary, trusts, bucket and queue policies", () => {
      expect(identity.map((p) => p.owner).sort()).to.deep.equal([
        "fdtest-cf-create",
        "fdtest-cf-delete",
        "fdtest-cloudformation",
        "fdtest-node-boundary",
        "fdtest-user-access",
      ]);
      expect(policies.filter((p) => p.kind === "trust")).to.have.length(3);
      // The users' and customizer buckets', the dead-letter queue's and the two upload queues'.
      expect(policies.filter((p) => p.kind === "resource")).to.have.length(5);
    });

    it("allows no wildcard action, in any policy", () => {
      const wild = policies.flatMap((p) =>
        allows(p).flatMap((s) =>
          asList(s.Action)
            .filter(isWildcardAction)
            .map((a) => `${p.owner}: ${a}`),
        ),
      );
      expect(wild).to.deep.equal([]);
    });

    it("uses wildcard actions only to deny requests not made over TLS", () => {
      for (const policy of policies) {
        for (const statement of policy.document.Statement.filter((s) =>
          asList(s.Action).some(isWildcardAction),
        )) {
          expect(statement.Effect, policy.owner).to.equal("Deny");
          expect(statement.Condition, policy.owner).to.deep.equal({
            Bool: { "aws:SecureTransport": "false" },
          });
        }
      }
    });

    it('uses "Resource": "*" only for actions that have no resource-level permissions', async () => {
      for (const policy of identity) {
        for (const statement of allows(policy).filter((s) => asList(s.Resource).includes("*"))) {
          for (const action of asList(statement.Action)) {
            const [service, name] = action.split(":") as [string, string];
            expect(
              await isWildcardOnlyAction(service, name),
              `${policy.owner} ${statement.Sid} ${action}`,
            ).to.equal(true);
          }
        }
      }
    });

    it("names only real actions, each on resources of a type it acts on", async () => {
      for (const policy of identity) await expectResourcesFit(policy);
    });
  });
}

describe("least privilege, the service role for every resource type it supports", () => {
  const nodeIam = { Path: "/flightdeck/" };
  const nodeRole = { ...nodeIam, PermissionsBoundary: { Ref: "NodePermissionsBoundary" } };
  const template: CfnTemplate = {
    Resources: Object.fromEntries(
      Object.keys(GRANTS_BY_TYPE).map((type, i) => [
        `R${i}`,
        {
          Type: type,
          Properties: /IAM::Role/.test(type)
            ? nodeRole
            : /IAM::InstanceProfile/.test(type)
              ? nodeIam
              : /SecretsManager/.test(type)
                ? { Name: { "Fn::Sub": "${AWS::StackName}-secret" } }
                : {},
        },
      ]),
    ),
  };

  it("names only real actions, each on resources of a type it acts on", async () => {
    const statements = serviceRoleStatements(template, {
      scope: FIXTURE_SCOPE,
      stackPrefix: "fd",
      deployment: "fdtest",
      nodeBoundaryArn: "arn:aws:iam::123456789012:policy/flightdeck/fdtest-node-boundary",
      ssmParameterArns: [],
    });
    await expectResourcesFit({
      kind: "identity",
      owner: "service role (all types)",
      document: JSON.parse(JSON.stringify(policyDocument(statements))) as FoundPolicy["document"],
    });
  });
});
