import { HOME_PREFIX } from "../../functions/shared/result-files.js";
import { s3Arn, type ArnScope } from "../iam/arns.js";
import type { PolicyStatement } from "../iam/policy-document.js";

/** An IAM user's own home, by the policy variable IAM fills in per request. */
const OWN_HOME = `${HOME_PREFIX}\${aws:username}/`;

/**
 * The seed's AFS3UserAccess: a user may browse the bucket root and `home/`,
 * list and change files only in `home/<their IAM user name>/`, and nothing
 * else: no other home, no customizer bucket, no CloudFormation or EC2. Their
 * power to build clusters is only the power to drop a `.cf-create` there.
 */
export function userAccessStatements(scope: ArnScope, userBucket: string): PolicyStatement[] {
  const bucket = s3Arn(scope, userBucket);
  return [
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
      Condition: { StringLike: { "s3:prefix": [`${OWN_HOME}*`] } },
    },
    {
      // Multipart-abort lets large uploads by the AWS CLI clean up after themselves.
      Sid: "ReadWriteOwnHome",
      Effect: "Allow",
      Action: ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
      Resource: [s3Arn(scope, userBucket, `${OWN_HOME}*`)],
    },
  ];
}
