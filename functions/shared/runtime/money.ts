import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { PriceBook } from "../price-book.js";
import type { SpotQuote, StackInstance } from "./ec2-records.js";
import type { UsageLedger } from "./usage-ledger.js";
import type { UserHome } from "./user-home.js";

/*
 * What the handlers need for money: the usage ledger, EC2's records of the
 * clusters' instances, and the price book. Loaded on first use (most events
 * need none of it, so a cold start does not pay for it) when the deployment
 * has a usage table (FD_USAGE_TABLE); without one, money is off: no ledger,
 * no prices, no budgets.
 */

/** EC2's records, as spend needs them (ec2-records.ts; tests inject their own). */
export interface AwsRecords {
  stackInstances(stackIds: readonly string[]): Promise<StackInstance[]>;
  volumeSizes(volumeIds: readonly string[]): Promise<Map<string, number>>;
  spotHistory(query: {
    readonly types: readonly string[];
    readonly zones: readonly string[];
    readonly start: number;
    readonly end: number;
  }): Promise<SpotQuote[]>;
}

/** The published price book, and its refresh. */
export interface PriceSource {
  /** The book as published (read once per invocation, then kept). */
  current(): Promise<PriceBook | undefined>;
  /** Asks AWS for prices now and publishes them. */
  refresh(nowMs: number): Promise<PriceBook>;
}

export interface Money {
  readonly ledger: UsageLedger;
  readonly records: AwsRecords;
  readonly prices: PriceSource;
}

/** The environment money is built from. */
export interface MoneySettings {
  readonly AWS_REGION: string;
  readonly FD_USAGE_TABLE?: string | undefined;
  readonly FD_PRICING_REGION?: string | undefined;
}

/** Loads money on first use; the same instance afterwards. */
export type MoneyLoader = () => Promise<Money>;

/**
 * Money for a handler, or `undefined` when the deployment has no usage
 * table. `now`: the handler's clock, which times the price book's cache.
 */
export function moneyFor(
  env: MoneySettings,
  home: UserHome,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
  environment: Readonly<Record<string, string | undefined>>,
  now: () => number,
): MoneyLoader | undefined {
  const table = env.FD_USAGE_TABLE;
  if (table === undefined) return undefined;
  let loading: Promise<Money> | undefined;
  return () => {
    loading ??= import("./money-services.js").then(({ buildMoney }) =>
      buildMoney({ ...env, FD_USAGE_TABLE: table }, home, credentials, environment, now),
    );
    return loading;
  };
}
