import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { CustomizerLocation } from "../deployment-policy.js";
import { isReservedUserId, type UserId } from "../identifiers.js";

/** The script whose presence marks a user as provisioned: the customizer's own for that user. */
function provisioningKey(location: CustomizerLocation, user: UserId): string {
  return `${location.prefix}/${user}/configure.d/user.sh`;
}

/**
 * Whether the admin has provisioned `user`: their `user.sh` exists in the
 * customizer bucket. A listing rather than a HEAD, because without
 * `s3:ListBucket` S3 answers a HEAD of a missing key with 403, and
 * `s3:ListBucket` can be limited to the customizer prefix only for listings.
 */
export async function isProvisioned(
  s3: S3Client,
  location: CustomizerLocation,
  user: UserId,
): Promise<boolean> {
  // `default/` holds every cluster's scripts, not a user's: no such user exists.
  if (isReservedUserId(user)) return false;
  const key = provisioningKey(location, user);
  const listing = await s3.send(
    new ListObjectsV2Command({ Bucket: location.bucket, Prefix: key, MaxKeys: 1 }),
  );
  return (listing.Contents ?? []).some((object) => object.Key === key);
}
