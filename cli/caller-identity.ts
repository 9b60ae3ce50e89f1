import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import { isUserId, type UserId } from "../functions/shared/identifiers.js";

/** Raised when the CLI cannot tell whose home to use. */
export class IdentityError extends Error {
  override readonly name = "IdentityError";
}

/** The IAM user name in a caller ARN (`arn:aws:iam::123456789012:user/path/alice`), if it is a user's. */
export function userNameOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
}

/**
 * Whose home `home/<me>/` is: `--user`, else `FLIGHTDECK_USER`, else the IAM
 * user name the caller's credentials belong to (STS GetCallerIdentity needs no
 * permission). Roles and root have no home, so they must say `--user`.
 */
export async function resolveUser(
  explicit: string | undefined,
  sts: () => STSClient,
): Promise<UserId> {
  return (await resolveCaller(explicit, sts)).user;
}

/** Who the caller is: their user id, and their account when STS was asked (no `--user`). */
export async function resolveCaller(
  explicit: string | undefined,
  sts: () => STSClient,
): Promise<{ readonly user: UserId; readonly account?: string | undefined }> {
  let name = explicit;
  let account: string | undefined;
  if (name === undefined) {
    let arn: string | undefined;
    try {
      const identity = await sts().send(new GetCallerIdentityCommand({}));
      arn = identity.Arn;
      account = identity.Account;
    } catch (error) {
      throw new IdentityError(
        `Cannot tell who you are (${(error as Error).message}); pass --user or set FLIGHTDECK_USER.`,
      );
    }
    name = arn === undefined ? undefined : userNameOfArn(arn);
    if (name === undefined) {
      throw new IdentityError(
        `Your credentials (${arn ?? "unknown"}) are not an IAM user's; pass --user or set FLIGHTDECK_USER.`,
      );
    }
  }
  if (!isUserId(name))
    throw new IdentityError(`${JSON.stringify(name)} is not a valid IAM user name.`);
  return { user: name, account };
}
