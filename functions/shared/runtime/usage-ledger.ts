import type { Month } from "../money.js";
import type { InstanceUse } from "../spend.js";

/*
 * The usage ledger: what FlightDeck has spent, by its own estimate, in a
 * DynamoDB table of its own (key `pk`, `sk`):
 *   <user>, cluster#<stackId>     a cluster's instances (usage-record.ts), its spend per month,
 *                                 when it was last accrued, its most per hour; final once deleted
 *   <user>, month#<YYYY-MM>       the user's month: each cluster's spend, and the budget's marks
 *   #deployment, month#<YYYY-MM>  the deployment's month: each user's spend, and its marks
 * A cluster's record is written whole, conditional on the version read
 * (the sweep and a DELETE_COMPLETE may race; the loser reads again); the
 * months are changed one attribute at a time. The DynamoDB ledger is
 * dynamo-usage-ledger.ts; tests run one contract against it and the memory one.
 */

/** The owner key of the deployment's own month (no user id holds `#`). */
export const DEPLOYMENT_OWNER = "#deployment";

/** A cluster's record. */
export interface ClusterUsage {
  readonly user: string;
  readonly cluster: string;
  readonly stackId: string;
  readonly createdAt: number;
  /** The most it costs per hour, USD, as quoted at its create. */
  readonly maxPerHour?: number | undefined;
  readonly instances: readonly InstanceUse[];
  readonly spend: Readonly<Record<Month, number>>;
  /** When its spend was last computed. */
  readonly through: number;
  /** Deleted: its spend is final, and the sweep no longer changes it. */
  readonly final: boolean;
  /** 0 before the first write. */
  readonly version: number;
}

/** A month of a user (or of the deployment). */
export interface MonthUsage {
  readonly owner: string;
  readonly month: Month;
  /** A user's month: each cluster's spend, by stack id. */
  readonly clusters: Readonly<Record<string, { readonly cluster: string; readonly usd: number }>>;
  /** The deployment's month: each user's spend. */
  readonly users: Readonly<Record<string, number>>;
  /** The budget (USD) whose warning went out. */
  readonly warnedFor?: number | undefined;
  /** When the running clusters are deleted, once the budget was spent. */
  readonly stopAt?: number | undefined;
}

/** The ledger as the handlers use it; every method may be repeated safely. */
export interface UsageLedger {
  cluster(user: string, stackId: string): Promise<ClusterUsage | undefined>;
  /** Starts a cluster's record at its create (once; a repeat changes nothing). */
  openCluster(
    entry: Pick<ClusterUsage, "user" | "cluster" | "stackId" | "createdAt" | "maxPerHour">,
  ): Promise<void>;
  /** Writes a record if its version is still the one read; `false` when another write came first, or it is final. */
  saveCluster(entry: ClusterUsage): Promise<boolean>;
  month(owner: string, month: Month): Promise<MonthUsage>;
  /** Every month record of `month`, the deployment's included (for `flightdeck admin usage`). */
  monthsOf(month: Month): Promise<MonthUsage[]>;
  setClusterSpend(
    user: string,
    month: Month,
    stackId: string,
    cluster: string,
    usd: number,
  ): Promise<void>;
  setUserSpend(month: Month, user: string, usd: number): Promise<void>;
  /** Notes that the warning for this budget went out; `false` when it already had. */
  markWarned(owner: string, month: Month, budget: number): Promise<boolean>;
  /** Sets when running clusters go, only if no grace runs yet; `false` when one does. */
  markStop(owner: string, month: Month, stopAt: number): Promise<boolean>;
  /** Ends a grace period (the budget was raised). */
  liftStop(owner: string, month: Month): Promise<void>;
}
