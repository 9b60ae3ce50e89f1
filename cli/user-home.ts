import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import { expectBucketOwner } from "../functions/shared/runtime/expected-bucket-owner.js";
import { preflight } from "./aws-preflight.js";
import { IdentityError, resolveCaller } from "./caller-identity.js";
import { CliError } from "./cli-error.js";
import { EXIT } from "./output.js";
import { UserBucket } from "./user-bucket.js";

/** Where and as whom the CLI talks to AWS. */
export interface AwsOptions {
  readonly profile?: string | undefined;
  readonly region?: string | undefined;
  /** `--user` or FLIGHTDECK_USER; else the caller's IAM user name or role session name. */
  readonly user?: string | undefined;
  /** The FlightDeck deployment's account (FLIGHTDECK_ACCOUNT_ID); else the caller's, when STS says. */
  readonly account?: string | undefined;
  readonly forcePathStyle: boolean;
  /** The environment, for naming the files the SDK reads profiles from. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The caller's home in a FlightDeck bucket, with the SDK clients it needs.
 * The standard credential chain applies, and the SDK itself honours
 * AWS_ENDPOINT_URL_S3. A missing profile, region or credentials is reported
 * before any request, saying what to set. This module is the only one that
 * loads the AWS SDK for users, and the CLI imports it only when a command
 * talks to AWS.
 */
export async function openUserHome(options: AwsOptions, bucket: string): Promise<UserBucket> {
  const config = {
    ...(options.region === undefined || options.region === "" ? {} : { region: options.region }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
  };
  const s3 = new S3Client({ ...config, forcePathStyle: options.forcePathStyle });
  await preflight(s3, options.profile, options.env);
  // STS only says who the caller is; a slow or unreachable STS must not hold a command up.
  const sts = () =>
    new STSClient({
      ...config,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000 },
    });
  const caller = await resolveCaller(options.user, sts).catch((error: Error) => {
    throw error instanceof IdentityError ? new CliError(error.message, EXIT.usage) : error;
  });
  // Users live in the deployment's account, so theirs is the bucket owner
  // to expect; a bucket of that name in any other account is refused.
  const account = options.account ?? caller.account;
  if (account !== undefined) expectBucketOwner(s3, account);
  return new UserBucket(s3, { bucket, user: caller.user, account });
}
