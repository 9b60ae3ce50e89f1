import { isRight } from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import type { BudgetOwner, Standing } from "./budget.js";
import { expiryText, isoTime } from "./cluster-lifetime.js";
import type { ClusterName, UserId } from "./identifiers.js";
import type { LifetimeRecord } from "./lifetime-files.js";
import { cents, ESTIMATE_NOTE } from "./money.js";
import type { Notice } from "./notice.js";
import { clusterFileKey, HOME_PREFIX, type ResultFile } from "./result-files.js";

/*
 * What FlightDeck tells a user about money, in their home (none of these
 * names ends in a trigger suffix, and only `.cf-expiring` is a cluster file):
 *
 *   flightdeck-usage.json   the month's spend so far, per cluster, and the budget (the sweep
 *                           rewrites it every 15 minutes while a cluster runs); `flightdeck
 *                           status` and `list` read it
 *   budget.warning          a budget reached 80 % (or is spent): what is spent, what happens next
 *   <cluster>.cf-expiring   the budget is spent: the cluster is deleted at the end of the grace
 */

export const USAGE_FILE = "flightdeck-usage.json";
export const BUDGET_WARNING_FILE = "budget.warning";

const text = "text/plain; charset=utf-8";

/** `home/<user>/<name>`. */
export const homeFileKey = (user: UserId, name: string) => `${HOME_PREFIX}${user}/${name}`;

const ClusterUsageCodec = t.intersection([
  t.type({ cluster: t.string, usd: t.number, running: t.boolean }),
  t.partial({ perHour: t.number }),
]);

const UsageReportCodec = t.intersection([
  t.type({
    flightdeck: t.literal("usage"),
    month: t.string,
    updatedAt: t.string,
    estimate: t.string,
    spent: t.number,
    clusters: t.array(ClusterUsageCodec),
  }),
  t.partial({
    budget: t.number,
    left: t.number,
    /** Set once a budget (the user's or the deployment's) is spent: when running clusters are deleted. */
    stopAt: t.string,
  }),
]);
/** The month's spend as `flightdeck-usage.json` holds it. */
export type UsageReport = t.TypeOf<typeof UsageReportCodec>;

/** `flightdeck-usage.json`: the report, as JSON for the CLI and scripts. */
export function usageFile(user: UserId, report: UsageReport): ResultFile {
  return {
    key: homeFileKey(user, USAGE_FILE),
    body: `${JSON.stringify(report, null, 2)}\n`,
    contentType: "application/json",
  };
}

/** Reads `flightdeck-usage.json`; `undefined` when it is not FlightDeck's. */
export function parseUsageReport(body: string): UsageReport | undefined {
  try {
    const decoded = UsageReportCodec.decode(JSON.parse(body));
    return isRight(decoded) ? decoded.right : undefined;
  } catch {
    return undefined;
  }
}

/** Says where a budget stands and what happens next. */
function standingLines(
  owner: BudgetOwner,
  standing: Standing,
  month: string,
  stopAt: number | undefined,
): string[] {
  const name = owner === "yours" ? "Your" : "The deployment's";
  const share = Math.floor((standing.spent / standing.budget) * 100);
  if (standing.level !== "spent") {
    return [
      `${name} monthly budget of ${cents(standing.budget)} for ${month} is ${share} % spent: ${cents(standing.spent)} so far, ${cents(standing.left)} left.`,
      `Once it is spent, no cluster can be created or extended, and running clusters are deleted after a grace period (your home is kept).`,
    ];
  }
  return [
    `${name} monthly budget of ${cents(standing.budget)} for ${month} is spent: ${cents(standing.spent)} so far.`,
    `No cluster can be created or extended until next month${owner === "yours" ? " or until your administrator raises it" : ""}.`,
    ...(stopAt === undefined
      ? []
      : [
          `Running clusters are deleted at ${expiryText(stopAt)}; save what you need from them (/scratch, say) before then. Your home is kept.`,
        ]),
  ];
}

/** `budget.warning`: sentences, then one JSON line for scripts. */
export function budgetWarningFile(
  user: UserId,
  owner: BudgetOwner,
  standing: Standing,
  month: string,
  stopAt: number | undefined,
): ResultFile {
  const record = {
    flightdeck: "budget",
    owner: owner === "yours" ? "user" : "deployment",
    month,
    budget: standing.budget,
    spent: standing.spent,
    level: standing.level,
    ...(stopAt === undefined ? {} : { stopAt: isoTime(stopAt) }),
  };
  return {
    key: homeFileKey(user, BUDGET_WARNING_FILE),
    contentType: text,
    body: [
      ...standingLines(owner, standing, month, stopAt),
      `(Every figure is ${ESTIMATE_NOTE}.)`,
      "",
      JSON.stringify(record),
      "",
    ].join("\n"),
  };
}

/** The email that goes with `budget.warning`. */
export function budgetNotice(
  user: UserId,
  owner: BudgetOwner,
  standing: Standing,
  month: string,
  stopAt: number | undefined,
): Notice {
  const whose = owner === "yours" ? `${user}'s monthly budget` : "The deployment's monthly budget";
  const state =
    standing.level === "spent"
      ? "is spent"
      : `is ${Math.floor((standing.spent / standing.budget) * 100)} % spent`;
  return {
    subject: `[FlightDeck] ${whose} ${state} (${cents(standing.spent)} of ${cents(standing.budget)})`,
    text: `${standingLines(owner, standing, month, stopAt).join("\n")}\nUser: ${user}\nEvery figure is ${ESTIMATE_NOTE}.\n`,
  };
}

/** `<cluster>.cf-expiring` when a budget is spent: the cluster goes at the end of the grace. */
export function budgetExpiringFile(
  user: UserId,
  cluster: ClusterName,
  owner: BudgetOwner,
  standing: Standing,
  stopAt: number,
): ResultFile {
  const reason = `${owner === "yours" ? "your" : "the deployment's"} monthly budget of ${cents(standing.budget)} is spent (${cents(standing.spent)}, by FlightDeck's estimate)`;
  const record: LifetimeRecord = {
    flightdeck: "cf-expiring",
    cluster,
    expiresAt: isoTime(stopAt),
    reason,
  };
  return {
    key: clusterFileKey(user, cluster, "expiring"),
    contentType: text,
    body: [
      `Cluster "${cluster}" will be deleted at ${expiryText(stopAt)}: ${reason}.`,
      `Your home is kept; save what you need from elsewhere on the cluster (/scratch, say) before then. It cannot be extended while the budget is spent.`,
      "",
      JSON.stringify(record),
      "",
    ].join("\n"),
  };
}

/** A month's clusters, as the ledger keeps them: each stack's cluster name and spend. */
type MonthClusters = Readonly<Record<string, { readonly cluster: string; readonly usd: number }>>;

/**
 * The report `flightdeck-usage.json` holds: the month's spend per cluster
 * (the latest stack of each name: a re-created cluster adds to it), which
 * ones run and their most per hour, and the budget when there is one.
 */
export function usageReportOf(input: {
  readonly month: string;
  readonly nowMs: number;
  readonly clusters: MonthClusters;
  /** Running clusters' stacks, with their most per hour when known. */
  readonly running: ReadonlyMap<string, number | undefined>;
  readonly standing?: Standing | undefined;
  readonly stopAt?: number | undefined;
}): UsageReport {
  const byName = new Map<string, { usd: number; running: boolean; perHour?: number }>();
  for (const [stackId, { cluster, usd }] of Object.entries(input.clusters)) {
    const known = byName.get(cluster);
    const running = input.running.has(stackId);
    const perHour = input.running.get(stackId);
    byName.set(cluster, {
      usd: (known?.usd ?? 0) + usd,
      running: running || (known?.running ?? false),
      ...(perHour === undefined ? {} : { perHour }),
    });
  }
  const spent = [...byName.values()].reduce((sum, c) => sum + c.usd, 0);
  return {
    flightdeck: "usage",
    month: input.month,
    updatedAt: isoTime(input.nowMs),
    estimate: ESTIMATE_NOTE,
    spent: Math.round(spent * 100) / 100,
    clusters: [...byName.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([cluster, c]) => ({
        cluster,
        usd: Math.round(c.usd * 100) / 100,
        running: c.running,
        ...(c.perHour === undefined ? {} : { perHour: c.perHour }),
      })),
    ...(input.standing === undefined
      ? {}
      : { budget: input.standing.budget, left: Math.round(input.standing.left * 100) / 100 }),
    ...(input.stopAt === undefined ? {} : { stopAt: isoTime(input.stopAt) }),
  };
}

/** What `.cf-deleted` says a cluster cost. */
export function finalCostSentence(total: number): string {
  return `It cost about ${cents(total)} in all, by FlightDeck's estimate (AWS's list prices for its instances and disks; data transfer, public IPv4 addresses, your home's EFS storage and taxes are not counted).`;
}
