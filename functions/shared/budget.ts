import type { BudgetPolicy } from "./budget-policy.js";
import { cents, usd } from "./money.js";

/*
 * Budgets that stop spending. A monthly budget in USD, per user (the
 * `monthlyBudget` limit: the deployment's for everyone, a user's own on top)
 * and for the whole deployment (`budgets.monthlyBudget`). Spend is the
 * control plane's estimate (spend.ts), kept per month by the sweep:
 * - at `warnPercent` (80 %) of a budget: a warning file and an email, once
 *   per month and budget;
 * - at 100 %: creates and extensions are refused, naming the spend and the
 *   budget; every running cluster gets a notice and is deleted after the
 *   grace period; homes are kept (they are not the clusters').
 * A create is refused beforehand when its most over its lifetime would pass
 * what is left; an extension, when its most until its new expiry would.
 */

/** A cluster's grace once its budget is spent, unless the settings say otherwise: an hour. */
const DEFAULT_GRACE_MINUTES = 60;
/** The warning's threshold unless the settings say otherwise. */
const DEFAULT_WARN_PERCENT = 80;

/** The budget rules with their defaults. */
export function budgetRules(policy: BudgetPolicy | undefined): {
  readonly graceMs: number;
  readonly warnShare: number;
  readonly deploymentBudget: number | undefined;
} {
  return {
    graceMs: Number(policy?.graceMinutes ?? DEFAULT_GRACE_MINUTES) * 60_000,
    warnShare: Number(policy?.warnPercent ?? DEFAULT_WARN_PERCENT) / 100,
    deploymentBudget:
      policy?.monthlyBudget === undefined ? undefined : Number(policy.monthlyBudget),
  };
}

/** Where a month's spend stands against a budget. */
export type BudgetLevel = "ok" | "warning" | "spent";

export interface Standing {
  readonly budget: number;
  readonly spent: number;
  readonly left: number;
  readonly level: BudgetLevel;
}

/** Where `spent` stands against `budget` (no budget: no standing). */
export function standingOf(
  spent: number,
  budget: number | undefined,
  warnShare: number,
): Standing | undefined {
  if (budget === undefined) return undefined;
  const level: BudgetLevel =
    spent >= budget ? "spent" : spent >= budget * warnShare ? "warning" : "ok";
  return { budget, spent, left: Math.max(0, budget - spent), level };
}

/** Whose budget a refusal or notice speaks of. */
export type BudgetOwner = "yours" | "the deployment's";

const whose = (owner: BudgetOwner) => (owner === "yours" ? "your" : "the deployment's");

/** Why a create or extension is refused because a budget is spent. */
function spentRefusal(owner: BudgetOwner, standing: Standing, month: string): string {
  return `${owner === "yours" ? "Your" : "The deployment's"} monthly budget of ${cents(standing.budget)} for ${month} is spent (${cents(standing.spent)} so far, by FlightDeck's estimate); no cluster can be created or extended until next month${owner === "yours" ? " or until your administrator raises it" : ""}.`;
}

/**
 * Why a create is refused because its most over its lifetime would pass
 * what is left of a budget, or `undefined` when it fits.
 */
export function createBudgetRefusal(
  owner: BudgetOwner,
  standing: Standing,
  month: string,
  most: { readonly lifetime: number; readonly lifetimeHours: number; readonly perHour: number },
): string | undefined {
  if (standing.level === "spent") return spentRefusal(owner, standing, month);
  if (most.lifetime <= standing.left) return undefined;
  const hours = Math.floor(standing.left / most.perHour);
  return `This cluster may cost up to ${cents(most.lifetime)} over its ${most.lifetimeHours}-hour lifetime (${usd(most.perHour)}/hour), more than the ${cents(standing.left)} left of ${whose(owner)} monthly budget of ${cents(standing.budget)} for ${month} (${cents(standing.spent)} spent so far, by FlightDeck's estimate); ask for fewer or cheaper nodes (that budget covers about ${hours} hours of this one), or ask your administrator.`;
}

/**
 * Why an extension is refused: the budget is spent, or the cluster's most
 * from now to its new expiry would pass what is left; `undefined` when it fits.
 */
export function extensionBudgetRefusal(
  owner: BudgetOwner,
  standing: Standing,
  month: string,
  most: { readonly perHour: number; readonly hours: number },
): string | undefined {
  if (standing.level === "spent") return spentRefusal(owner, standing, month);
  const cost = most.perHour * most.hours;
  if (cost <= standing.left) return undefined;
  return `Running until the new expiry (${Math.ceil(most.hours)} hours from now) may cost up to ${cents(cost)} (${usd(most.perHour)}/hour), more than the ${cents(standing.left)} left of ${whose(owner)} monthly budget of ${cents(standing.budget)} for ${month} (${cents(standing.spent)} spent so far, by FlightDeck's estimate).`;
}

/** Why FlightDeck deleted a cluster whose budget was spent, as `.cf-deleted` says it. */
export function budgetDeletedReason(owner: BudgetOwner, budget: number): string {
  return `${whose(owner)} monthly budget of ${cents(budget)} was spent, and the grace period after the notice ended`;
}

/** What the sweep does about one budget this tick. */
export interface BudgetDecision {
  /** Warn (file and email): the budget is at its warning level (not yet spent) and nobody was warned of it. */
  readonly warn: boolean;
  /** Start the grace period: the budget is spent and no grace runs yet; its end. */
  readonly stopAt?: number | undefined;
  /** End a grace period: the budget is no longer spent (raised, or a new month's). */
  readonly lift: boolean;
}

/** What a budget's record says: whom it warned, and when its grace ends. */
export interface BudgetMarks {
  /** The budget (USD) whose warning was sent. */
  readonly warnedFor?: number | undefined;
  /** When running clusters are deleted: set once when the budget is first spent. */
  readonly stopAt?: number | undefined;
}

/**
 * The sweep's decision for one budget: warn once per budget amount (a raised
 * budget warns anew), start the grace when it is first spent, and lift it
 * when the spend is under the budget again.
 */
export function decideBudget(
  standing: Standing | undefined,
  marks: BudgetMarks,
  nowMs: number,
  graceMs: number,
): BudgetDecision {
  if (standing === undefined) return { warn: false, lift: marks.stopAt !== undefined };
  const warn = standing.level === "warning" && marks.warnedFor !== standing.budget;
  if (standing.level === "spent") {
    return { warn, lift: false, stopAt: marks.stopAt === undefined ? nowMs + graceMs : undefined };
  }
  return { warn, lift: marks.stopAt !== undefined };
}
