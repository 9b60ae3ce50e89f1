import type { CfnTemplate } from "../shared/cfn-template.js";
import {
  clusterShapeOf,
  parameterMap,
  quoteCluster,
  type CostQuote,
} from "../shared/cluster-cost.js";
import { lifetimeFor } from "../shared/cluster-lifetime.js";
import type { DeploymentPolicy } from "../shared/deployment-policy.js";
import type { UserId } from "../shared/identifiers.js";
import type { CreateStackPlan } from "../shared/template-merge.js";
import { createRefusals, standingsFor } from "../shared/runtime/budget-check.js";
import type { DecisionLog } from "../shared/runtime/decision-log.js";
import type { CreateDeps } from "./create-deps.js";

/**
 * The price before launch and the budgets' say, before a slot is taken: the
 * cluster's most per hour and over its lifetime, priced with the published
 * price book, and why the budgets refuse it: one is spent, or has less left
 * than that most (every refusal names the spend and the budget). A price the
 * book does not know leaves only the spent check: a missing price never
 * blocks a create. The caller throws the refusals (this module is loaded
 * lazily, so its errors would not be the caller's classes under every loader).
 */
export async function priceAndBudget(
  deps: CreateDeps,
  policy: DeploymentPolicy,
  template: CfnTemplate,
  plan: CreateStackPlan,
  user: UserId,
  log: DecisionLog,
): Promise<{ readonly quote: CostQuote | undefined; readonly refusals: readonly string[] }> {
  if (deps.money === undefined) return { quote: undefined, refusals: [] };
  const money = await deps.money();
  const book = await money.prices.current();
  const lifetime = lifetimeFor(policy, user);
  const quote = quoteCluster(
    clusterShapeOf(template, parameterMap(plan.parameters)),
    book,
    lifetime.lifetimeHours,
  );
  const standings = await standingsFor(money, policy, user, deps.now());
  const most =
    quote.kind === "priced"
      ? quote
      : { lifetime: 0, lifetimeHours: lifetime.lifetimeHours, perHour: 0 };
  const refusals = createRefusals(standings, most);
  log.info("cluster priced", {
    perHour: quote.kind === "priced" ? quote.perHour : undefined,
    lifetime: quote.kind === "priced" ? quote.lifetime : undefined,
    budgets: standings.budgets.length,
    refused: refusals.length > 0,
  });
  return { quote, refusals };
}
