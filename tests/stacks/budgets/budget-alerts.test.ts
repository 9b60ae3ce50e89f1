import { expect } from "chai";
import type { Settings } from "../../../stacks/settings/settings-shape.js";
import { resourcesOf, synthFlightDeck, unescapeTerraform } from "../support/synth.js";

/*
 * The money side of the deployment, as synthesized: the usage ledger's table
 * (always), and the AWS Budgets backstop (one budget per user with a monthly
 * budget, one for the deployment's, filtered by cost-allocation tags the
 * deployment activates, alerting the admin through SNS) when budgets are set.
 */

const withBudgets = (settings: Settings): Settings => ({
  ...settings,
  limits: { ...settings.limits, monthlyBudget: "200" },
  users: settings.users.map((user) =>
    user.id === "alice" ? { ...user, limits: { ...user.limits, monthlyBudget: "500" } } : user,
  ),
  budgets: { monthlyBudget: "2000", graceMinutes: "30" },
  alarmEmail: "admin@hpc.test",
});

describe("the deployment's money resources (synthesized)", () => {
  const plain = synthFlightDeck();
  const budgeted = synthFlightDeck(withBudgets);
  const budgets = Object.values(resourcesOf(budgeted, "aws_budgets_budget"));
  const byName = (name: string) => budgets.find((b) => b["name"] === name);

  it("keeps usage in a table of its own, named in both functions' environments", () => {
    const tables = Object.values(resourcesOf(plain, "aws_dynamodb_table"));
    const usage = tables.find((t) => t["name"] === "fdtest-usage");
    expect(usage).to.deep.include({
      hash_key: "pk",
      range_key: "sk",
      billing_mode: "PAY_PER_REQUEST",
    });
    expect(usage?.["point_in_time_recovery"]).to.deep.equal({ enabled: true });
    for (const fn of Object.values(resourcesOf(plain, "aws_lambda_function"))) {
      const variables = (fn["environment"] as { variables: Record<string, string> }).variables;
      expect(variables["FD_USAGE_TABLE"], String(fn["function_name"])).to.match(
        /^\$\{aws_dynamodb_table\.usage_table_\w+\.name\}$/,
      );
    }
  });

  it("creates no AWS Budget and activates no tag when no budget is set", () => {
    expect(resourcesOf(plain, "aws_budgets_budget")).to.deep.equal({});
    expect(resourcesOf(plain, "aws_ce_cost_allocation_tag")).to.deep.equal({});
  });

  it("gives each user with a budget an AWS Budget of theirs, filtered by their USER tag", () => {
    expect(budgets.map((b) => b["name"]).sort()).to.deep.equal([
      "fdtest-monthly",
      "fdtest-monthly-alice",
      "fdtest-monthly-bob",
    ]);
    expect(byName("fdtest-monthly-alice")).to.deep.include({
      budget_type: "COST",
      limit_amount: "500",
      limit_unit: "USD",
      time_unit: "MONTHLY",
    });
    expect(byName("fdtest-monthly-alice")?.["cost_filter"]).to.deep.equal([
      { name: "TagKeyValue", values: ["user:USER$alice"] },
    ]);
    expect(byName("fdtest-monthly-bob")?.["limit_amount"]).to.equal("200");
    expect(byName("fdtest-monthly")?.["cost_filter"]).to.deep.equal([
      { name: "TagKeyValue", values: ["user:FlightDeckDeployment$fdtest"] },
    ]);
  });

  it("alerts the admin's topic at 80 % and 100 % of what AWS billed", () => {
    const notifications = byName("fdtest-monthly-alice")?.["notification"] as Array<
      Record<string, unknown>
    >;
    expect(
      notifications.map((n) => [n["threshold"], n["notification_type"], n["comparison_operator"]]),
    ).to.deep.equal([
      [80, "ACTUAL", "GREATER_THAN"],
      [100, "ACTUAL", "GREATER_THAN"],
    ]);
    expect(String((notifications[0]?.["subscriber_sns_topic_arns"] as string[])[0])).to.match(
      /aws_sns_topic\.budgets_topic/,
    );
    const [policy] = Object.values(resourcesOf(budgeted, "aws_sns_topic_policy"));
    const statement = (
      JSON.parse(unescapeTerraform(String(policy?.["policy"]))) as {
        Statement: Array<Record<string, unknown>>;
      }
    ).Statement[0];
    expect(statement?.["Principal"]).to.deep.equal({ Service: "budgets.amazonaws.com" });
    expect(statement?.["Condition"]).to.deep.equal({
      StringEquals: { "aws:SourceAccount": "123456789012" },
    });
    const subscriptions = Object.values(resourcesOf(budgeted, "aws_sns_topic_subscription"));
    expect(
      subscriptions.some(
        (s) =>
          s["endpoint"] === "admin@hpc.test" && String(s["topic_arn"]).includes("budgets_topic"),
      ),
    ).to.equal(true);
  });

  it("activates the USER and deployment tags for cost allocation, unless told the admin does", () => {
    const tags = Object.values(resourcesOf(budgeted, "aws_ce_cost_allocation_tag"));
    expect(tags.map((t) => [t["tag_key"], t["status"]])).to.have.deep.members([
      ["USER", "Active"],
      ["FlightDeckDeployment", "Active"],
    ]);
    const elsewhere = synthFlightDeck((s) => {
      const budgetedSettings = withBudgets(s);
      return {
        ...budgetedSettings,
        budgets: { ...budgetedSettings.budgets, activateCostAllocationTags: false },
      };
    });
    expect(resourcesOf(elsewhere, "aws_ce_cost_allocation_tag")).to.deep.equal({});
  });
});
