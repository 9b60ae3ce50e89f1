import * as t from "io-ts";
import { closedObject, sentenceCodec } from "./readable-errors.js";

/*
 * The budgets' settings as the deployment policy carries them (what they
 * mean is budget.ts). Kept apart, with no import of the policy or of money,
 * so the policy can decode them without a cycle.
 */

/** A budget: USD, whole or with cents. */
export const BudgetAmountCodec = sentenceCodec<string>(
  "MonthlyBudget",
  "a monthly budget in USD, such as 500 or 250.50",
  (input) => {
    const text = typeof input === "number" ? String(input) : input;
    return typeof text === "string" && /^(0|[1-9]\d{0,8})(\.\d{1,2})?$/.test(text)
      ? text
      : undefined;
  },
);

const wholeNumber = (name: string, min: number, max: number) =>
  sentenceCodec<string>(name, `a whole number from ${min} to ${max}`, (input) => {
    const text = typeof input === "number" ? String(input) : input;
    return typeof text === "string" && /^\d{1,6}$/.test(text) && +text >= min && +text <= max
      ? String(Number(text))
      : undefined;
  });

/** The budget rules' fields (the settings' `budgets` add one of their own). */
export const BudgetPolicyFields = t.partial({
  /** The whole deployment's budget a month: every user's clusters together. */
  monthlyBudget: BudgetAmountCodec,
  /** Minutes a running cluster is given, once its budget is spent, before it is deleted. */
  graceMinutes: wholeNumber("GraceMinutes", 0, 10080),
  /** The share of a budget at which its user (or the admin) is warned. */
  warnPercent: wholeNumber("WarnPercent", 1, 99),
});

/** The deployment's budget rules, as the policy carries them. */
export const BudgetPolicyCodec = closedObject(BudgetPolicyFields, [
  "monthlyBudget",
  "graceMinutes",
  "warnPercent",
]);
export type BudgetPolicy = t.TypeOf<typeof BudgetPolicyCodec>;
