import type { PriceBook } from "../price-book.js";
import type { SpotQuote, StackInstance } from "./ec2-records.js";
import type { UsageLedger } from "./usage-ledger.js";

/*
 * What the handlers need for money: the usage ledger, EC2's records of the
 * clusters' instances, and the price book. money-loader.ts loads it on first
 * use, when the deployment has a usage table.
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
