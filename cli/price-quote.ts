import { isLeft } from "fp-ts/lib/Either.js";
import { clusterShapeOf, parameterMap, quoteCluster } from "../functions/shared/cluster-cost.js";
import { lifetimeFor } from "../functions/shared/cluster-lifetime.js";
import type { ClusterConfig } from "../functions/shared/cluster-config.js";
import type { ClusterName } from "../functions/shared/identifiers.js";
import { ageText, type PriceBook } from "../functions/shared/price-book.js";
import { ANYONE, configPlan, type ConfigRules } from "./config-check.js";

/** The price before launch, as the CLI shows it and `--json` carries it. */
export interface PriceQuote {
  /** The most per hour and over the lifetime, USD; absent when the price is unknown. */
  readonly perHour?: number;
  readonly lifetime?: number;
  readonly lifetimeHours: number;
  /** The sentence: "up to $0.88/hour: …; at most $63.58 over its 72-hour lifetime (an estimate: …)". */
  readonly text: string;
  /** When the prices were fetched (ISO 8601); absent without a price book. */
  readonly pricesFetchedAt?: string;
}

/**
 * Prices a valid config as cf-create will: the same merge, then the most the
 * cluster can cost per hour and over its lifetime under `rules` (the lifetime
 * is the rules' user's), with the price book given. Without one: "price
 * unknown", and how to get prices.
 */
export function quoteConfig(
  config: ClusterConfig,
  rules: ConfigRules,
  book: PriceBook | undefined,
  nowMs: number,
  cluster = "validate" as ClusterName,
): PriceQuote | undefined {
  const plan = configPlan(config, rules, cluster);
  if (isLeft(plan)) return undefined;
  const { lifetimeHours } = lifetimeFor(rules.policy, rules.user);
  if (book === undefined) {
    return {
      lifetimeHours,
      text: "price unknown: no prices yet (flightdeck create, status or list fetch FlightDeck's published prices; validate and render then use them offline)",
    };
  }
  const quote = quoteCluster(
    clusterShapeOf(rules.template, parameterMap(plan.right.parameters)),
    book,
    lifetimeHours,
  );
  // Without the deployment's settings, the lifetime is FlightDeck's default maximum.
  const lifetime =
    rules.user === ANYONE ? "; your administrator may give your clusters a shorter lifetime" : "";
  const source = `an estimate from AWS list prices for ${book.region} of ${book.fetchedAt.slice(0, 10)}, ${ageText(book, nowMs)}${lifetime}`;
  return quote.kind === "priced"
    ? {
        perHour: quote.perHour,
        lifetime: quote.lifetime,
        lifetimeHours,
        text: `${quote.text} (${source})`,
        pricesFetchedAt: book.fetchedAt,
      }
    : { lifetimeHours, text: `${quote.text} (${source})`, pricesFetchedAt: book.fetchedAt };
}
