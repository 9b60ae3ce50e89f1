import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { budgetRules } from "../../functions/shared/budget.js";
import { limitsFor } from "../../functions/shared/deployment-policy.js";
import type { UserId } from "../../functions/shared/identifiers.js";
import { cents, ESTIMATE_NOTE, MONTH_PATTERN } from "../../functions/shared/money.js";
import { DynamoUsageLedger } from "../../functions/shared/runtime/dynamo-usage-ledger.js";
import { DEPLOYMENT_OWNER } from "../../functions/shared/runtime/usage-ledger.js";
import { moneyNamesFor } from "../../stacks/settings/budget-settings.js";
import { policyFromSettings } from "../../stacks/settings/policy.js";
import { loadSettings, SettingsError, settingsPath } from "../../stacks/settings/settings.js";
import { usageSummary, type UsageSummary } from "../admin/usage-report.js";
import type { CliContext } from "../cli-context.js";
import { CliError } from "../cli-error.js";
import { EXIT, printable, table } from "../output.js";

export interface UsageCommandOptions {
  /** The usage table (terraform output -raw usage_table). */
  readonly table?: string | undefined;
  /** The deployment's settings: the table's name and the budgets. */
  readonly settings?: string | undefined;
  readonly month?: string | undefined;
}

/** The table and budgets from the options: `--table`, else the settings' (which also give budgets). */
function sourceOf(
  options: UsageCommandOptions,
  env: Readonly<Record<string, string | undefined>>,
): { table: string; region?: string; budgets: Parameters<typeof usageSummary>[2] } {
  if (options.table !== undefined && options.settings === undefined)
    return { table: options.table, budgets: { user: () => undefined } };
  let settings;
  try {
    settings = loadSettings(settingsPath(options.settings, env));
  } catch (error) {
    if (error instanceof SettingsError) throw new CliError(error.message);
    throw error;
  }
  const policy = policyFromSettings(settings);
  const rules = budgetRules(policy.budgets);
  return {
    table: options.table ?? moneyNamesFor(settings).usageTable,
    region: settings.region,
    budgets: {
      ...(rules.deploymentBudget === undefined ? {} : { deployment: rules.deploymentBudget }),
      user: (user) => {
        const budget = limitsFor(policy, user as UserId).monthlyBudget;
        return budget === undefined ? undefined : Number(budget);
      },
    },
  };
}

/** The report as a table: each user's clusters, their total and budget, then the deployment's. */
function reportLines(summary: UsageSummary): string[] {
  const rows: string[][] = [["USER", "CLUSTER", "SPENT", "BUDGET"]];
  for (const user of summary.users) {
    for (const c of user.clusters) rows.push([user.user, c.cluster, cents(c.usd), ""]);
    rows.push([
      user.user,
      "(total)",
      cents(user.spent),
      user.budget === undefined ? "-" : cents(user.budget),
    ]);
  }
  const budget = summary.budget === undefined ? "" : ` of its ${cents(summary.budget)} budget`;
  return [
    ...table(rows.map((row) => row.map(printable))),
    `The deployment spent ${cents(summary.spent)}${budget} in ${summary.month}.`,
    `Every figure is ${ESTIMATE_NOTE}.`,
  ];
}

/**
 * `flightdeck admin usage [--month YYYY-MM] [--table <name> | --settings <file>] [--json]`:
 * what each user and each cluster spent in a month, by FlightDeck's
 * estimate, from the usage ledger. Needs dynamodb:Scan on the usage table.
 */
export async function usageCommand(ctx: CliContext, options: UsageCommandOptions): Promise<number> {
  const month = options.month ?? new Date().toISOString().slice(0, 7);
  if (!MONTH_PATTERN.test(month))
    throw new CliError(`--month ${options.month}: use a month such as 2026-12.`, EXIT.usage);
  const source = sourceOf(options, ctx.io.env);
  const { profile } = ctx.options;
  const region = ctx.options.region ?? source.region;
  const client = new DynamoDBClient({
    ...(region === undefined ? {} : { region }),
    ...(profile === undefined ? {} : { profile }),
  });
  const ledger = new DynamoUsageLedger(source.table, region ?? "", client);
  const summary = usageSummary(
    month,
    await ledger.monthsOf(month),
    source.budgets,
    DEPLOYMENT_OWNER,
  );
  if (ctx.out.json) ctx.out.data({ ...summary, estimate: ESTIMATE_NOTE });
  else for (const line of reportLines(summary)) ctx.out.line(line);
  return EXIT.ok;
}
