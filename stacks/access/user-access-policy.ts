import { PRICE_BOOK_KEY } from "../../functions/shared/price-book.js";
import { HOME_PREFIX } from "../../functions/shared/result-files.js";
import { s3Arn, type ArnScope } from "../iam/arns.js";
import type { PolicyStatement } from "../iam/policy-document.js";
import type { Identity } from "../settings/identity-settings.js";

/**
 * The policy variable IAM fills in per request with the caller's user id:
 * the IAM user name, or the value of the session tag the deployment names.
 * `aws:username` is absent from role sessions, which is why SSO users need
 * the tag (IAM User Guide, "IAM policy elements: Variables and tags").
 */
function userIdVariable(identity: Identity): string {
  return identity.source === "iam-user"
    ? "${aws:username}"
    : `\${aws:PrincipalTag/${identity.tag}}`;
}

/**
 * The seed's AFS3UserAccess: a user may browse the bucket root and `home/`,
 * list and change files only in `home/<their user id>/`, and nothing else:
 * no other home, no customizer bucket, no CloudFormation or EC2. Their power
 * to build clusters is only the power to drop a `.cf-create` there.
 *
 * With a session-tag identity the policy goes on a permission set or role
 * that anyone in it may assume, so it also denies the whole bucket to a
 * session whose tag is missing, empty or holds a `/` (which would name a
 * folder inside someone else's home): only the tag tells users apart.
 */
export function userAccessStatements(
  scope: ArnScope,
  userBucket: string,
  identity: Identity,
): PolicyStatement[] {
  const bucket = s3Arn(scope, userBucket);
  const ownHome = `${HOME_PREFIX}${userIdVariable(identity)}/`;
  const statements: PolicyStatement[] = [
    {
      // Only the folder names at the root and in home/, so a user finds their
      // own folder without seeing anyone's files.
      Sid: "BrowseToOwnHome",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [bucket],
      Condition: {
        StringEquals: { "s3:prefix": ["", HOME_PREFIX], "s3:delimiter": ["/"] },
      },
    },
    {
      Sid: "ListOwnHome",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [bucket],
      Condition: { StringLike: { "s3:prefix": [`${ownHome}*`] } },
    },
    {
      // Multipart-abort lets large uploads by the AWS CLI clean up after themselves.
      Sid: "ReadWriteOwnHome",
      Effect: "Allow",
      Action: ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
      Resource: [s3Arn(scope, userBucket, `${ownHome}*`)],
    },
    {
      // The price book FlightDeck publishes (public AWS prices): `flightdeck`
      // prices a cluster with it before it is asked for.
      Sid: "ReadPublishedPrices",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [s3Arn(scope, userBucket, PRICE_BOOK_KEY)],
    },
  ];
  if (identity.source === "iam-user") return statements;
  const tagKey = `aws:PrincipalTag/${identity.tag}`;
  const everything = [bucket, s3Arn(scope, userBucket, "*")];
  return [
    ...statements,
    {
      Sid: "DenyWithoutUserTag",
      Effect: "Deny",
      Action: ["s3:*"],
      Resource: everything,
      Condition: { Null: { [tagKey]: "true" } },
    },
    {
      Sid: "DenyMalformedUserTag",
      Effect: "Deny",
      Action: ["s3:*"],
      Resource: everything,
      Condition: { StringLike: { [tagKey]: ["", "*/*"] } },
    },
  ];
}
