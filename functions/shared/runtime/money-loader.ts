import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { Money, MoneyLoader, MoneySettings } from "./money.js";
import type { UserHome } from "./user-home.js";

/*
 * Money (money.ts) is loaded on first use: most events need none of it, so a
 * cold start does not pay for it. It needs a usage table (FD_USAGE_TABLE);
 * without one, money is off: no ledger, no prices, no budgets.
 */

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
