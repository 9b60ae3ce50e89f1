import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { S3Client } from "@aws-sdk/client-s3";
import { expectBucketOwner } from "./expected-bucket-owner.js";

/** What building the clients needs from the environment. */
export interface ClientSettings {
  readonly AWS_REGION: string;
  readonly FD_S3_FORCE_PATH_STYLE?: "true" | "false" | undefined;
  readonly FD_ACCOUNT_ID?: string | undefined;
}

/**
 * How every client the handlers build behaves, set here rather than looked up:
 * - retries the SDK makes itself before a fault reaches the handler, which
 *   then throws so Lambda retries the whole event (twice) a little later;
 * - the defaults mode, named, so that building a client never looks for
 *   `~/.aws/config` and `~/.aws/credentials` (which a Lambda never has): left
 *   unset, the SDK reads both files at every cold start to find the mode.
 *   "legacy" is what it then settles on, so behaviour is unchanged;
 * - the middleware stack resolved once per command, not at every request
 *   (the SDK's `cacheMiddleware`): nothing adds middleware to a client after
 *   its first request (`expectBucketOwner` adds its step as the client is
 *   built), so nothing is lost, and each request costs less CPU.
 */
export const SDK_CLIENT_DEFAULTS = {
  retryMode: "standard",
  maxAttempts: 4,
  defaultsMode: "legacy",
  cacheMiddleware: true,
} as const;

/*
 * Endpoints are left to the SDK, which reads `AWS_ENDPOINT_URL` and
 * `AWS_ENDPOINT_URL_<SERVICE>` itself; that is how the handlers run unchanged
 * against local servers in the tests. Checksum behaviour likewise follows
 * `AWS_REQUEST_CHECKSUM_CALCULATION` / `AWS_RESPONSE_CHECKSUM_VALIDATION`.
 */

/** The S3 client, with path-style addressing when `FD_S3_FORCE_PATH_STYLE` is true. */
export function createS3Client(settings: ClientSettings): S3Client {
  const client = new S3Client({
    region: settings.AWS_REGION,
    forcePathStyle: settings.FD_S3_FORCE_PATH_STYLE === "true",
    ...SDK_CLIENT_DEFAULTS,
  });
  if (settings.FD_ACCOUNT_ID !== undefined) expectBucketOwner(client, settings.FD_ACCOUNT_ID);
  return client;
}

/** The CloudFormation client for the stacks' region. */
export function createCloudFormationClient(settings: ClientSettings): CloudFormationClient {
  return new CloudFormationClient({ region: settings.AWS_REGION, ...SDK_CLIENT_DEFAULTS });
}
