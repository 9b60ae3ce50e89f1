import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { terraformAvailable } from "../../../scripts/terraform-cli.js";
import type { Settings } from "../../../stacks/settings/settings-shape.js";
import { planStack, type PlannedResource } from "../support/plan-stack.js";
import { fixtureSettings } from "../support/synth.js";

/*
 * The AWS Budgets backstop, planned by terraform with no AWS account: one
 * budget per user with a monthly budget (filtered by their USER tag), the
 * deployment's, their alerts to the admin's topic, and the cost-allocation
 * tags they filter on activated. Skipped where terraform is missing, as the
 * main plan checks are (CI runs them).
 */

describe("the AWS Budgets backstop, planned by terraform", function () {
  let dir = "";
  let planned: PlannedResource[] = [];
  const ofType = (type: string) => planned.filter((r) => r.type === type);

  before(function () {
    if (!terraformAvailable()) {
      if (process.env["CI"])
        throw new Error("terraform is not installed, and CI must run the plan checks.");
      this.skip();
    }
    this.timeout(180_000);
    dir = mkdtempSync(join(tmpdir(), "fd-budget-plan-"));
    const base = fixtureSettings();
    const settings: Settings = {
      ...base,
      users: base.users.map((user) =>
        user.id === "alice" ? { ...user, limits: { ...user.limits, monthlyBudget: "500" } } : user,
      ),
      budgets: { monthlyBudget: "2000" },
      alarmEmail: "admin@hpc.test",
    };
    planned = planStack(dir, "out", settings).resources;
  });
  after(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("plans alice's budget on her USER tag, and the deployment's on its tag", () => {
    const budgets = ofType("aws_budgets_budget").map((r) => [
      r.values["name"],
      r.values["limit_amount"],
      (r.values["cost_filter"] as Array<{ name: string; values: string[] }>)[0]?.values[0],
    ]);
    expect(budgets).to.have.deep.members([
      ["fdtest-monthly-alice", "500", "user:USER$alice"],
      ["fdtest-monthly", "2000", "user:FlightDeckDeployment$fdtest"],
    ]);
    for (const budget of ofType("aws_budgets_budget")) {
      const thresholds = (budget.values["notification"] as Array<{ threshold: number }>).map(
        (n) => n.threshold,
      );
      expect(thresholds).to.have.members([80, 100]);
    }
  });

  it("plans the cost-allocation tags active", () => {
    expect(
      ofType("aws_ce_cost_allocation_tag").map((r) => [r.values["tag_key"], r.values["status"]]),
    ).to.have.deep.members([
      ["USER", "Active"],
      ["FlightDeckDeployment", "Active"],
    ]);
  });

  it("plans the alert topic's email and the usage table", () => {
    expect(ofType("aws_sns_topic").map((r) => r.values["name"])).to.include("fdtest-budgets");
    expect(ofType("aws_dynamodb_table").map((r) => r.values["name"])).to.include("fdtest-usage");
  });
});
