import { fixtureJson } from "./fixtures.js";
import { LocalAws } from "./local-aws.js";
import { cli, type CliOptions, type CliRun, localUserEnv } from "./run-cli.js";

/*
 * A user at their terminal, for the CLI's end-to-end tests: the built
 * `flightdeck` command run in their working folder, with an environment that
 * points S3 at s3rver and STS at the fake, as their AWS profile would point
 * at AWS.
 */

/**
 * The local AWS the users' commands meet: the seed-like template under
 * `policy`, `provisioned` users' uploads delivered to the built bundles as
 * they happen, and no email. Started and stopped by the caller.
 */
export function usersAws(policy: unknown, provisioned: readonly string[]): LocalAws {
  return new LocalAws({
    policy,
    template: fixtureJson("templates/seed-like.json"),
    provisioned,
    autoDeliver: true,
    notify: false,
  });
}

/**
 * Runs `flightdeck` in `workdir` against `aws`, with `env` on top of the
 * user's environment; `onOutput` hears its output as it prints it.
 */
export function flightdeckAs(
  aws: LocalAws,
  workdir: string,
  args: string[],
  env: Record<string, string> = {},
  onOutput?: CliOptions["onOutput"],
): Promise<CliRun> {
  // STS answers from the fake: who the caller is comes from `env`, or STS.
  const user = localUserEnv(aws.endpoint, aws.queryEndpoint);
  delete user["FLIGHTDECK_USER"];
  return cli(args, { ...user, FLIGHTDECK_POLL_SECONDS: "0.2", ...env }, { cwd: workdir, onOutput });
}

/** Polls `probe` every 50 ms for up to 10 s until it gives a value. */
export async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
