import {
  budgetRules,
  createBudgetRefusal,
  extensionBudgetRefusal,
  standingOf,
  type BudgetOwner,
  type Standing,
} from "../budget.js";
import { limitsFor, type DeploymentPolicy } from "../deployment-policy.js";
import type { UserId } from "../identifiers.js";
import { HOUR_MS, monthOf, type Month } from "../money.js";
import type { Money } from "./money.js";
import { DEPLOYMENT_OWNER } from "./usage-ledger.js";

/*
 * Where a user's budgets stand now, as the last sweep accrued them (at most
 * 15 minutes old), for the handlers' refusals: a create whose most over its
 * lifetime would pass what is left, an extension whose most until its new
 * expiry would, and either once a budget is spent. Both the user's budget
 * and the deployment's are checked; every refusal is given.
 */

/** The budgets that apply to a user this month, with where each stands. */
export interface Standings {
  readonly month: Month;
  readonly budgets: ReadonlyArray<{ readonly owner: BudgetOwner; readonly standing: Standing }>;
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

/** Reads the user's and the deployment's months from the ledger (no budget: no read). */
export async function standingsFor(
  money: Money,
  policy: DeploymentPolicy,
  user: UserId,
  nowMs: number,
): Promise<Standings> {
  const month = monthOf(nowMs);
  const rules = budgetRules(policy.budgets);
  const own = limitsFor(policy, user).monthlyBudget;
  const budgets: Array<{ owner: BudgetOwner; standing: Standing }> = [];
  if (own !== undefined) {
    const usage = await money.ledger.month(user, month);
    const standing = standingOf(
      sum(Object.values(usage.clusters).map((c) => c.usd)),
      Number(own),
      rules.warnShare,
    );
    if (standing !== undefined) budgets.push({ owner: "yours", standing });
  }
  if (rules.deploymentBudget !== undefined) {
    const usage = await money.ledger.month(DEPLOYMENT_OWNER, month);
    const standing = standingOf(
      sum(Object.values(usage.users)),
      rules.deploymentBudget,
      rules.warnShare,
    );
    if (standing !== undefined) budgets.push({ owner: "the deployment's", standing });
  }
  return { month, budgets };
}

/** Why a create is refused by a budget: none when every budget has room for its most. */
export function createRefusals(
  standings: Standings,
  most: { readonly lifetime: number; readonly lifetimeHours: number; readonly perHour: number },
): string[] {
  return standings.budgets.flatMap(({ owner, standing }) => {
    const refusal = createBudgetRefusal(owner, standing, standings.month, most);
    return refusal === undefined ? [] : [refusal];
  });
}

/**
 * Why an extension to `newExpiry` is refused by a budget: a spent budget
 * always refuses; with the cluster's most per hour known (from its create),
 * so does one without room for that rate until the new expiry.
 */
export function extensionRefusals(
  standings: Standings,
  perHour: number | undefined,
  newExpiry: number,
  nowMs: number,
): string[] {
  const hours = Math.max(0, (newExpiry - nowMs) / HOUR_MS);
  return standings.budgets.flatMap(({ owner, standing }) => {
    const refusal = extensionBudgetRefusal(owner, standing, standings.month, {
      perHour: perHour ?? 0,
      hours,
    });
    return refusal === undefined ? [] : [refusal];
  });
}
