import { CliError } from "./cli-error.js";
import { EXIT } from "./output.js";

/*
 * What the AWS SDK says when the CLI's setup is wrong, said as what is wrong
 * and what to do. The SDK's own words ("Region is missing",
 * "CredentialsProviderError") name a symptom; a researcher needs the
 * variable to set or the person to ask. Only error shapes are read here
 * (names, HTTP status, headers), so this module loads no SDK code.
 */

/** The shape of an SDK error, as far as these explanations read it. */
interface AwsErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly Region?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Record<string, string | undefined> };
}

const shape = (error: unknown): AwsErrorShape =>
  typeof error === "object" && error !== null ? (error as AwsErrorShape) : {};

/** Where the SDK reads profiles, as the user would write it. */
export function configFiles(env: Readonly<Record<string, string | undefined>>): string {
  const config = env["AWS_CONFIG_FILE"] ?? "~/.aws/config";
  const credentials = env["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials";
  return `${config} or ${credentials}`;
}

export function noRegion(profile: string | undefined): CliError {
  const inProfile = profile === undefined ? "" : `, or add "region = …" to the profile ${profile}`;
  return new CliError(
    `No AWS region: set AWS_REGION or pass --region${inProfile} (your administrator tells you which: the bucket's region).`,
    EXIT.usage,
  );
}

export function noSuchProfile(profile: string, files: string): CliError {
  return new CliError(
    `The profile ${profile} is not in ${files}: check its name (aws configure list-profiles lists them), set it up (aws configure --profile ${profile}, or aws configure sso), or drop --profile and AWS_PROFILE.`,
    EXIT.usage,
  );
}

/** Credentials the SDK could not find or load, before any request. */
export function noCredentials(profile: string | undefined, error: unknown): CliError {
  // The chain's own summary says nothing more than "none"; a provider's own reason (an expired SSO session) does.
  const message = shape(error).message ?? String(error);
  const why = /from any providers/.test(message) ? "" : ` (${message})`;
  const fix =
    profile === undefined
      ? "set up a profile (aws configure for access keys, or aws configure sso for IAM Identity Center) and pass --profile or set AWS_PROFILE; or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
      : `the profile ${profile} has none; if it signs in through IAM Identity Center, run: aws sso login --profile ${profile}`;
  return new CliError(`No AWS credentials found${why}: ${fix}.`, EXIT.usage);
}

const REFUSED_CREDENTIALS = new Set([
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidAccessKeyId",
  "InvalidClientTokenId",
  "InvalidToken",
  "SignatureDoesNotMatch",
  "TokenRefreshRequired",
  "UnrecognizedClientException",
]);

/** Credentials AWS itself turned down: expired, revoked or mistyped. */
export function refusedCredentials(error: unknown): CliError | undefined {
  const { name } = shape(error);
  if (name === undefined || !REFUSED_CREDENTIALS.has(name)) return undefined;
  return new CliError(
    `AWS refused your credentials (${name}): they have expired or are wrong. Sign in again (aws sso login) or use fresh access keys.`,
  );
}

/** Where to look: a bucket and the user's home in it. */
export interface BucketPlace {
  readonly bucket: string;
  readonly user: string;
  /** The account FlightDeck expects to own the bucket, when known. */
  readonly account?: string | undefined;
}

/**
 * An S3 error as something to act on, or `undefined` when it is not about
 * the setup (then it is reported as it is). A wrong bucket name (no such
 * bucket), a bucket in another account or a home the credentials may not
 * use (403), a bucket in another region, refused credentials, and an S3 that
 * cannot be reached.
 */
export function explainS3Error(error: unknown, place: BucketPlace): CliError | undefined {
  const e = shape(error);
  const status = e.$metadata?.httpStatusCode;
  const home = `s3://${place.bucket}/home/${place.user}/`;
  const refused = refusedCredentials(error);
  if (refused !== undefined) return refused;
  if (e.name === "NoSuchBucket") {
    return new CliError(
      `There is no bucket named ${place.bucket}: check --bucket or FLIGHTDECK_BUCKET (your administrator tells you the name).`,
    );
  }
  const region = e.$response?.headers?.["x-amz-bucket-region"] ?? e.Region;
  if (
    e.name === "PermanentRedirect" ||
    e.name === "AuthorizationHeaderMalformed" ||
    status === 301
  ) {
    const where = region === undefined ? "" : `: ${region}`;
    return new CliError(
      `The bucket ${place.bucket} is in another region${where}; pass --region${region === undefined ? " <its region>" : ` ${region}`} or set AWS_REGION.`,
    );
  }
  if (e.name === "AccessDenied" || status === 403) {
    const owner = place.account === undefined ? "" : ` (account ${place.account})`;
    return new CliError(
      `S3 refused access to ${home}. Either ${place.bucket} is not your FlightDeck deployment's bucket${owner}: check --bucket or FLIGHTDECK_BUCKET; or your credentials may not use home/${place.user}/: check --user or FLIGHTDECK_USER, or ask your administrator to add you.`,
    );
  }
  const network = e.code ?? e.name;
  if (status === undefined && network !== undefined && NETWORK_ERRORS.has(network)) {
    return new CliError(
      `Cannot reach S3 (${network}${e.message === undefined ? "" : `: ${e.message}`}): check your network, or AWS_ENDPOINT_URL_S3 if you set it.`,
    );
  }
  return undefined;
}

const NETWORK_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "TimeoutError",
]);
