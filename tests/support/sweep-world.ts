import { fixtureJson } from "./fixtures.js";
import { LocalAws } from "./local-aws.js";

/*
 * The LocalAws the lifetime sweep's tests over the built bundles share: the
 * seed-like template under the test's policy, every upload delivered to
 * the handlers as it happens, the handlers' log lines kept for the test to
 * read, and sweep ticks sent by the test (LocalAws.sweep).
 */

/** The world for `policy`, with `provisioned` users and `env` on top of the handlers' environment. */
export function sweepAws(
  policy: unknown,
  provisioned: readonly string[],
  env: Readonly<Record<string, string>> = {},
): LocalAws {
  return new LocalAws({
    policy,
    template: fixtureJson("templates/seed-like.json"),
    provisioned,
    autoDeliver: true,
    captureLogs: true,
    env,
  });
}
