import { fromEnv } from "@aws-sdk/credential-provider-env";
import type { AwsCredentialIdentity } from "@smithy/types";

/*
 * Stands in for @aws-sdk/credential-provider-node in the Lambda bundles only
 * (build.mjs swaps it in). Lambda always hands a function its role's
 * credentials in environment variables, so the rest of the default chain
 * (profiles, SSO, web identity, IMDS) is dead weight there: about 70 KB that
 * would otherwise ship in every function. Tests and the CLI run unbundled and
 * keep the full chain.
 */

/** The default credential provider, reduced to the environment. */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);

/** As in the full provider: credentials with an expiry are refreshed five minutes early. */
export const credentialsWillNeedRefresh = (credentials: AwsCredentialIdentity): boolean =>
  credentials.expiration !== undefined;

export const credentialsTreatedAsExpired = (credentials: AwsCredentialIdentity): boolean =>
  credentials.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
