import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { isStale, type PriceBook } from "../price-book.js";
import type { DecisionLog } from "./decision-log.js";
import { describeStackInstances, describeVolumeSizes, spotPriceHistory } from "./ec2-records.js";
import { describeError } from "./faults.js";
import type { Money, MoneySettings, PriceSource } from "./money.js";
import { fetchPriceBook, publishPriceBook, readPriceBook } from "./price-refresh.js";
import type { AwsAccess } from "./signed-call.js";
import { DynamoUsageLedger } from "./dynamo-usage-ledger.js";
import type { UserHome } from "./user-home.js";

/*
 * Money's services, loaded by money-loader.ts on first use: the ledger over its
 * table, EC2's records through signed calls, and the price book of the
 * users' bucket.
 */

/**
 * The price book of the users' bucket, read at most once a minute (by `now`)
 * per execution environment.
 */
function priceSource(
  home: UserHome,
  fetch: (nowMs: number) => Promise<PriceBook>,
  now: () => number,
): PriceSource {
  let cached: { book: PriceBook | undefined; at: number } | undefined;
  return {
    async current() {
      const at = now();
      if (cached === undefined || at - cached.at > 60_000 || at < cached.at)
        cached = { book: await readPriceBook(home), at };
      return cached.book;
    },
    async refresh(nowMs) {
      const book = await fetch(nowMs);
      await publishPriceBook(home, book);
      cached = { book, at: now() };
      return book;
    },
  };
}

/** Builds money over the real services. */
export function buildMoney(
  env: MoneySettings & { readonly FD_USAGE_TABLE: string },
  home: UserHome,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
  environment: Readonly<Record<string, string | undefined>>,
  now: () => number,
): Money {
  const access: AwsAccess = { region: env.AWS_REGION, credentials, env: environment };
  const pricingRegion = env.FD_PRICING_REGION ?? "us-east-1";
  return {
    ledger: new DynamoUsageLedger(env.FD_USAGE_TABLE, env.AWS_REGION),
    records: {
      stackInstances: (stackIds) => describeStackInstances(access, stackIds),
      volumeSizes: (volumeIds) => describeVolumeSizes(access, volumeIds),
      spotHistory: (query) => spotPriceHistory(access, query),
    },
    prices: priceSource(home, (nowMs) => fetchPriceBook(access, pricingRegion, nowMs), now),
  };
}

/**
 * The book to price with now: the published one, refreshed first when there
 * is none, or in the background of this sweep when it is old (the old one
 * prices this sweep; prices move slowly). A failed refresh is logged and the
 * next sweep tries again.
 */
export async function pricesForSweep(
  prices: PriceSource,
  nowMs: number,
  log: DecisionLog,
): Promise<{ book: PriceBook | undefined; refreshing: Promise<void> }> {
  const refresh = () =>
    prices.refresh(nowMs).then(
      (fresh) => {
        log.info("price book refreshed", {
          types: Object.keys(fresh.onDemand).length,
          spotTypes: Object.keys(fresh.spot).length,
        });
        return fresh;
      },
      (error: unknown) => {
        log.warn("price book refresh failed; the next sweep tries again", describeError(error));
        return undefined;
      },
    );
  const book = await prices.current();
  if (book === undefined) return { book: await refresh(), refreshing: Promise.resolve() };
  if (!isStale(book, nowMs)) return { book, refreshing: Promise.resolve() };
  return { book, refreshing: refresh().then(() => undefined) };
}
