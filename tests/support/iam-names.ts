import { MINIMAL_SETTINGS, SSH_KEY } from "./settings-decoding.js";

/*
 * The IAM user names real organisations use, which the identity issue names,
 * with the cluster login each derives. Settings, render, the bundles and the
 * CLI are each tested with all of them.
 */

/** A 64-character IAM user name, IAM's longest. */
export const LONGEST_IAM_NAME = `Research.Computing.${"x".repeat(45)}`;

/** IAM user name → the login derived from it. */
export const IAM_NAMES: Readonly<Record<string, string>> = {
  "john.smith": "john_smith",
  "Alice.Smith": "alice_smith",
  "alice@example.com": "alice_example_com",
  "a+b=c,d": "a_b_c_d",
  [LONGEST_IAM_NAME]: `research_computing_${"x".repeat(13)}`,
};

/** A settings file (as JSON) like settings/example.json, provisioning exactly `ids`. */
export function settingsWithUsers(
  ids: readonly string[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...MINIMAL_SETTINGS,
    limits: { maxComputeNodes: 32 },
    users: ids.map((id) => ({ id, sshPublicKey: SSH_KEY })),
    ...extra,
  };
}
