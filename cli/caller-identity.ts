import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import { isUserId, type UserId } from "../functions/shared/identifiers.js";
import { refusedCredentials } from "./aws-errors.js";

/** Raised when the CLI cannot tell whose home to use. */
export class IdentityError extends Error {
  override readonly name = "IdentityError";
}

/** Who STS says the credentials belong to, as far as FlightDeck cares. */
export type Caller =
  /** An IAM user: their name is their FlightDeck id, for certain. */
  | { readonly kind: "iam-user"; readonly name: string; readonly arn: string }
  /**
   * A role session (IAM Identity Center, any federation): the session name is
   * usually the user's name, but the deployment may know them by a session
   * tag the CLI cannot see, so it is only a guess.
   */
  | { readonly kind: "role-session"; readonly name: string; readonly arn: string }
  | { readonly kind: "other"; readonly arn: string };

/** The IAM user name in a caller ARN (`arn:aws:iam::123456789012:user/path/alice`), if it is a user's. */
export function userNameOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
}

/** The session name in an assumed-role ARN (`arn:aws:sts::123456789012:assumed-role/<role>/<session>`). */
export function sessionNameOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/[^/]+\/([^/]+)$/.exec(arn)?.[1];
}

/** Reads a GetCallerIdentity ARN. */
export function callerOfArn(arn: string): Caller {
  const user = userNameOfArn(arn);
  if (user !== undefined) return { kind: "iam-user", name: user, arn };
  const session = sessionNameOfArn(arn);
  if (session !== undefined) return { kind: "role-session", name: session, arn };
  return { kind: "other", arn };
}

async function askSts(
  sts: () => STSClient,
): Promise<{ readonly caller: Caller; readonly account?: string | undefined }> {
  const identity = await sts().send(new GetCallerIdentityCommand({}));
  return { caller: callerOfArn(identity.Arn ?? ""), account: identity.Account };
}

/** Whose home `home/<me>/` is: see {@link resolveCaller}. */
export async function resolveUser(
  explicit: string | undefined,
  sts: () => STSClient,
): Promise<UserId> {
  return (await resolveCaller(explicit, sts)).user;
}

/**
 * Who the caller is: their user id, and their account when STS answered.
 * STS GetCallerIdentity (which needs no permission) names the caller: an IAM
 * user by their user name, a role session (IAM Identity Center, federation)
 * by its session name. `--user` or `FLIGHTDECK_USER` overrides it, but may
 * not contradict an IAM user's own name: that home would be refused by IAM
 * anyway, so the CLI says so, naming both. A role session's name may
 * legitimately differ from the session tag the deployment knows users by, so
 * there the override wins. When STS cannot be asked, the override is taken as
 * it is; when it refuses the credentials, that is the error.
 */
export async function resolveCaller(
  explicit: string | undefined,
  sts: () => STSClient,
): Promise<{ readonly user: UserId; readonly account?: string | undefined }> {
  let caller: Caller | undefined;
  let account: string | undefined;
  try {
    ({ caller, account } = await askSts(sts));
  } catch (error) {
    // Credentials STS turned down would be turned down by S3 too: no --user helps.
    const refused = refusedCredentials(error);
    if (refused !== undefined) throw refused;
    if (explicit === undefined) {
      throw new IdentityError(
        `Cannot tell who you are (${(error as Error).message}); pass --user or set FLIGHTDECK_USER.`,
      );
    }
  }
  let name = explicit;
  if (caller?.kind === "iam-user" && explicit !== undefined && explicit !== caller.name) {
    throw new IdentityError(
      `--user/FLIGHTDECK_USER says ${JSON.stringify(explicit)}, but your credentials are IAM user ${JSON.stringify(caller.name)} (${caller.arn}); drop the override or use that user's credentials.`,
    );
  }
  if (name === undefined && caller !== undefined && caller.kind !== "other") name = caller.name;
  if (name === undefined) {
    throw new IdentityError(
      `Your credentials (${caller?.arn || "unknown"}) are neither an IAM user's nor a role session's; pass --user or set FLIGHTDECK_USER.`,
    );
  }
  if (!isUserId(name))
    throw new IdentityError(`${JSON.stringify(name)} is not a valid IAM user name.`);
  return { user: name, account };
}
