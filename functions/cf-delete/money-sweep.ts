import {
  budgetDeletedReason,
  budgetRules,
  decideBudget,
  standingOf,
  type BudgetOwner,
  type Standing,
} from "../shared/budget.js";
import type { DeploymentPolicy } from "../shared/deployment-policy.js";
import type { ClusterName, UserId } from "../shared/identifiers.js";
import { monthOf } from "../shared/money.js";
import { clusterFileKey, type ResultFile } from "../shared/result-files.js";
import { budgetExpiringFile, budgetNotice, budgetWarningFile } from "../shared/usage-files.js";
import { withKeys } from "../shared/runtime/decision-log.js";
import type { Money } from "../shared/runtime/money.js";
import { pricesForSweep } from "../shared/runtime/money-services.js";
import { DEPLOYMENT_OWNER, type MonthUsage } from "../shared/runtime/usage-ledger.js";
import type { DeleteDeps } from "./delete-deps.js";
import { accrueSpend, type ClusterRun } from "./spend-accrual.js";
import { publishUsage, spentIn, sum, userBudgetOf } from "./usage-publish.js";

/*
 * The money half of the sweep, every 15 minutes: refresh the price book
 * when it is old, accrue every running cluster's spend up to now, then hold
 * each budget to it (budget.ts): warn at 80 %, and once spent, start the
 * grace after which the sweep deletes the running clusters. A budget acts on
 * the first sweep after its crossing, since each sweep computes the spend
 * up to its own moment: within one sweep interval.
 */

/** Why and when a user's running clusters are deleted. */
export interface BudgetStop {
  readonly stopAt: number;
  /** The notice each running cluster gets until then (its `.cf-expiring`). */
  readonly notice: (cluster: ClusterName) => ResultFile;
  /** Why `.cf-deleted` says FlightDeck ended it. */
  readonly reason: string;
}

/** What the money sweep leaves for the lifetime sweep. */
export interface MoneySweep {
  stopFor(user: string): BudgetStop | undefined;
}

/** A budget's owner, as the sweep holds it. */
interface Holder {
  /** The ledger's key: the user id, or the deployment's. */
  readonly key: string;
  /** The user, for a user's own budget (their file and email); none for the deployment's. */
  readonly user?: UserId;
  readonly whose: BudgetOwner;
}

/** How long into a month the sweep looks back for the last month's graces: two days of sweeps. */
const ROLLOVER_MS = 2 * 24 * 3_600_000;

/**
 * The month before `nowMs`'s, while `nowMs` is in the first two days of its
 * own: when a grace that last month's spend started may still have notices out.
 */
function monthJustEnded(nowMs: number): string | undefined {
  const before = monthOf(nowMs - ROLLOVER_MS);
  return before === monthOf(nowMs) ? undefined : before;
}

/** Whether `owner`'s grace of last month still stands at the turn of the month, which ends it. */
async function graceOfMonthJustEnded(money: Money, owner: string, nowMs: number): Promise<boolean> {
  const ended = monthJustEnded(nowMs);
  return ended !== undefined && (await money.ledger.month(owner, ended)).stopAt !== undefined;
}

/** The stop of a spent budget, for one user's clusters. */
function budgetStop(
  user: UserId,
  stopAt: number,
  whose: BudgetOwner,
  standing: Standing,
): BudgetStop {
  return {
    stopAt,
    notice: (cluster) => budgetExpiringFile(user, cluster, whose, standing, stopAt),
    reason: budgetDeletedReason(whose, standing.budget),
  };
}

/** Tells a budget's owner (file and email) where it stands; the admin alone for the deployment's. */
async function tell(
  deps: DeleteDeps,
  policy: DeploymentPolicy,
  holder: Holder,
  standing: Standing,
  month: string,
  stopAt: number | undefined,
): Promise<void> {
  if (holder.user === undefined) {
    const admin = "(all users)" as UserId;
    return deps.reporter.tellAdmin(budgetNotice(admin, holder.whose, standing, month, stopAt));
  }
  const notice = budgetNotice(holder.user, holder.whose, standing, month, stopAt);
  return deps.reporter.warn(holder.user, notice, policy);
}

/**
 * Applies one budget's decision: the warning (file, mark, then one email),
 * the grace's start (one notice), or its end when no longer spent. Returns
 * when its grace ends, if one runs.
 */
async function holdBudget(
  deps: DeleteDeps,
  money: Money,
  policy: DeploymentPolicy,
  holder: Holder,
  usage: MonthUsage,
  standing: Standing | undefined,
  nowMs: number,
): Promise<number | undefined> {
  const log = withKeys(deps.log, { budget: holder.key });
  const decision = decideBudget(standing, usage, nowMs, budgetRules(policy.budgets).graceMs);
  const file = (stopAt: number | undefined) =>
    holder.user === undefined || standing === undefined
      ? Promise.resolve()
      : deps.home.write(
          budgetWarningFile(holder.user, holder.whose, standing, usage.month, stopAt),
        );
  if (decision.warn && standing !== undefined) {
    await file(undefined);
    if (await money.ledger.markWarned(holder.key, usage.month, standing.budget)) {
      await tell(deps, policy, holder, standing, usage.month, undefined);
      log.info("budget warning sent", { budget: standing.budget, spent: standing.spent });
    }
  }
  const { stopAt } = decision;
  if (stopAt !== undefined && standing !== undefined) {
    await file(stopAt);
    if (await money.ledger.markStop(holder.key, usage.month, stopAt)) {
      await tell(deps, policy, holder, standing, usage.month, stopAt);
      log.warn("budget spent; running clusters are deleted after the grace", {
        budget: standing.budget,
        spent: standing.spent,
        stopAt,
      });
      return stopAt;
    }
    return (await money.ledger.month(holder.key, usage.month)).stopAt;
  }
  if (decision.lift) {
    await money.ledger.liftStop(holder.key, usage.month);
    log.info("budget no longer spent; its grace is lifted", { budget: standing?.budget });
    return undefined;
  }
  return usage.stopAt;
}

/**
 * Prices, accrues, and holds the budgets of the users with running clusters
 * (`runs`) and of the deployment; rewrites each such user's
 * `flightdeck-usage.json`. Returns when each user's clusters go, if they do.
 */
export async function sweepMoney(
  deps: DeleteDeps,
  money: Money,
  policy: DeploymentPolicy,
  runs: readonly ClusterRun[],
  nowMs: number,
): Promise<MoneySweep> {
  const { book, refreshing } = await pricesForSweep(money.prices, nowMs, deps.log);
  const usages = await accrueSpend(money, book, runs, nowMs);
  const month = monthOf(nowMs);
  const rules = budgetRules(policy.budgets);
  const users = [...new Set(runs.map((run) => run.user as UserId))];
  const months = new Map<UserId, MonthUsage>();
  for (const user of users) {
    const usage = await money.ledger.month(user, month);
    months.set(user, usage);
    await money.ledger.setUserSpend(month, user, spentIn(usage));
  }
  const deployment = await money.ledger.month(DEPLOYMENT_OWNER, month);
  const whole = standingOf(
    sum(Object.values(deployment.users)),
    rules.deploymentBudget,
    rules.warnShare,
  );
  const wholeStop = await holdBudget(
    deps,
    money,
    policy,
    { key: DEPLOYMENT_OWNER, whose: "the deployment's" },
    deployment,
    whole,
    nowMs,
  );
  const wholeLastMonths =
    wholeStop === undefined && (await graceOfMonthJustEnded(money, DEPLOYMENT_OWNER, nowMs));
  const stops = new Map<string, BudgetStop>();
  const sweep: UserSweep = { runs, usages, nowMs, whole, wholeStop, wholeLastMonths };
  for (const [user, usage] of months) {
    const stop = await sweepUser(deps, money, policy, sweep, user, usage);
    if (stop !== undefined) stops.set(user, stop);
  }
  const ended = monthJustEnded(nowMs);
  if (wholeLastMonths && ended !== undefined) await money.ledger.liftStop(DEPLOYMENT_OWNER, ended);
  await refreshing;
  return { stopFor: (user) => stops.get(user) };
}

/** What one sweep knows of every user: the runs, their spend, and the deployment's budget. */
interface UserSweep {
  readonly runs: readonly ClusterRun[];
  readonly usages: Awaited<ReturnType<typeof accrueSpend>>;
  readonly nowMs: number;
  /** The deployment's standing, and when its spent budget stops every cluster. */
  readonly whole: Standing | undefined;
  readonly wholeStop: number | undefined;
  /** Whether the deployment's grace ran out with the month just ended. */
  readonly wholeLastMonths: boolean;
}

/**
 * Holds one user's budget and the deployment's over their clusters:
 * returns the stop that comes first, if any. With none, notices of a grace
 * lifted (the budget raised, or a new month begun) go; then the user's
 * `flightdeck-usage.json` is rewritten.
 */
async function sweepUser(
  deps: DeleteDeps,
  money: Money,
  policy: DeploymentPolicy,
  sweep: UserSweep,
  user: UserId,
  usage: MonthUsage,
): Promise<BudgetStop | undefined> {
  const { nowMs, whole, wholeStop } = sweep;
  const rules = budgetRules(policy.budgets);
  const standing = standingOf(spentIn(usage), userBudgetOf(policy, user), rules.warnShare);
  const holder: Holder = { key: user, user, whose: "yours" };
  const own = await holdBudget(deps, money, policy, holder, usage, standing, nowMs);
  const stop =
    wholeStop !== undefined && whole !== undefined && (own === undefined || wholeStop < own)
      ? budgetStop(user, wholeStop, "the deployment's", whole)
      : own !== undefined && standing !== undefined
        ? budgetStop(user, own, "yours", standing)
        : undefined;
  const mine = sweep.runs.filter((run) => run.user === user);
  const lastMonths = stop === undefined && (await graceOfMonthJustEnded(money, user, nowMs));
  if (stop === undefined && (usage.stopAt !== undefined || lastMonths || sweep.wholeLastMonths)) {
    // The notices on the running clusters no longer hold. A lifetime's
    // notice is written again by this sweep when its hour has come.
    await deps.home.remove(
      mine.map((run) => clusterFileKey(user, run.cluster as ClusterName, "expiring")),
    );
    // Lifted only once its notices are gone, so a failed removal is tried again.
    const ended = monthJustEnded(nowMs);
    if (lastMonths && ended !== undefined) await money.ledger.liftStop(user, ended);
  }
  const running = new Map(
    sweep.usages.filter((u) => u.user === user && !u.final).map((u) => [u.stackId, u.maxPerHour]),
  );
  await publishUsage(deps, money, policy, user, nowMs, running, stop?.stopAt);
  return stop;
}
