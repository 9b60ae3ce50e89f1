import { loadSharedConfigFiles } from "@smithy/core/config";
import { configFiles, noCredentials, noRegion, noSuchProfile } from "./aws-errors.js";

/** What the SDK clients of the CLI resolve their region and credentials with. */
interface ClientConfig {
  readonly config: {
    region: () => Promise<string>;
    credentials: () => Promise<unknown>;
  };
}

/**
 * Checks, before any request, what a request would need: the profile named
 * exists, a region is set, and credentials can be found. The SDK resolves
 * each itself (its own order: variables, then the profile), and the CLI
 * only asks it, so nothing here can disagree with what a request would use.
 * Each failure says what to set; the SDK's own errors would not.
 */
export async function preflight(
  client: ClientConfig,
  profile: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  if (profile !== undefined) {
    const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
    if (!Object.hasOwn(configFile, profile) && !Object.hasOwn(credentialsFile, profile))
      throw noSuchProfile(profile, configFiles(env));
  }
  const region = await client.config.region().catch(() => "");
  if (region === "") throw noRegion(profile);
  try {
    await client.config.credentials();
  } catch (error) {
    throw noCredentials(profile, error);
  }
}
