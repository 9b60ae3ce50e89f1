import * as t from "io-ts";
import { BudgetPolicyFields, type BudgetPolicy } from "../../functions/shared/budget-policy.js";
import type { UserId } from "../../functions/shared/identifiers.js";
import { closedObject } from "../../functions/shared/readable-errors.js";

/*
 * The settings' `budgets`: the whole deployment's monthly budget, the grace
 * a running cluster gets once its budget is spent (default an hour), and the
 * share of a budget at which its owner is warned (default 80 %). Each user's
 * own budget is the `monthlyBudget` limit (the deployment's `limits` for
 * everyone, a user's `limits` on top). The same codec decodes the policy's
 * copy, so the Lambdas read exactly what the admin wrote.
 */

const BUDGET_KEYS = ["monthlyBudget", "graceMinutes", "warnPercent", "activateCostAllocationTags"];

export const BudgetSettingsCodec = closedObject(
  t.intersection([
    BudgetPolicyFields,
    t.partial({
      /**
       * Whether the deployment activates the `USER` (and deployment) tags for
       * cost allocation, which its AWS Budgets filter on (default true). AWS
       * activates only tags it has seen in billing data, and only in the
       * payer account: false leaves that to the admin.
       */
      activateCostAllocationTags: t.boolean,
    }),
  ]),
  BUDGET_KEYS,
);
export type BudgetSettings = t.TypeOf<typeof BudgetSettingsCodec>;

/** What the Lambdas read of the budget settings (the deployment policy's `budgets`). */
function budgetPolicyOf(settings: BudgetSettings | undefined): BudgetPolicy | undefined {
  if (settings === undefined) return undefined;
  const { monthlyBudget, graceMinutes, warnPercent } = settings;
  return {
    ...(monthlyBudget === undefined ? {} : { monthlyBudget }),
    ...(graceMinutes === undefined ? {} : { graceMinutes }),
    ...(warnPercent === undefined ? {} : { warnPercent }),
  };
}

/** What the money side of a deployment needs from the settings. */
export interface MoneySettingsInput {
  readonly name: string;
  readonly limits: { readonly monthlyBudget?: string | undefined };
  readonly users: ReadonlyArray<{
    readonly id: UserId;
    readonly limits?: { readonly monthlyBudget?: string | undefined } | undefined;
  }>;
  readonly budgets?: BudgetSettings | undefined;
}

/** The names of the money side's resources, derived from the deployment's name. */
export function moneyNamesFor(settings: Pick<MoneySettingsInput, "name">): {
  readonly usageTable: string;
  readonly budgetTopic: string;
  readonly deploymentBudget: string;
  readonly userBudget: (user: string) => string;
} {
  const { name } = settings;
  return {
    usageTable: `${name}-usage`,
    budgetTopic: `${name}-budgets`,
    deploymentBudget: `${name}-monthly`,
    // AWS Budgets names: up to 100 characters of anything but ':' and '\'; user ids have neither.
    userBudget: (user) => `${name}-monthly-${user}`,
  };
}

/** Each user's monthly budget in USD: theirs, else the deployment's; users without one are left out. */
export function userBudgets(
  settings: MoneySettingsInput,
): Array<{ readonly user: UserId; readonly usd: string }> {
  return settings.users.flatMap((user) => {
    const usd = user.limits?.monthlyBudget ?? settings.limits.monthlyBudget;
    return usd === undefined ? [] : [{ user: user.id, usd }];
  });
}

/** The policy's `budgets`, only when the settings have any (so a policy without budgets is unchanged). */
export function budgetsOf(settings: { readonly budgets?: BudgetSettings | undefined }): {
  readonly budgets?: BudgetPolicy;
} {
  const budgets = budgetPolicyOf(settings.budgets);
  return budgets === undefined ? {} : { budgets };
}
