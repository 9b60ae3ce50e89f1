/*
 * ARNs built from the settings rather than from Terraform attributes, so
 * every IAM policy is known at plan time and can be read (and simulated)
 * before anything exists. Without an account id the account field is `*`:
 * never a data source, which would call AWS at plan time.
 */

/** Where FlightDeck's ARNs point. */
export interface ArnScope {
  readonly partition: string;
  readonly region: string;
  /** The 12-digit account id, or `*` when the settings do not name one. */
  readonly account: string;
}

/** The AWS partition a region belongs to. */
function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The ARN scope of a deployment. */
export function arnScope(settings: {
  readonly region: string;
  readonly accountId?: string;
}): ArnScope {
  return {
    partition: partitionOf(settings.region),
    region: settings.region,
    account: settings.accountId ?? "*",
  };
}

/** A regional ARN in the deployment's account: `arn:<p>:<service>:<region>:<account>:<resource>`. */
export function regionalArn(
  scope: ArnScope,
  service: string,
  resource: string,
  region = scope.region,
): string {
  return `arn:${scope.partition}:${service}:${region}:${scope.account}:${resource}`;
}

/** A global (IAM) ARN in the deployment's account. */
export function iamArn(scope: ArnScope, resource: string): string {
  return `arn:${scope.partition}:iam::${scope.account}:${resource}`;
}

/** An S3 bucket's ARN, or an object pattern's when `key` is given. */
export function s3Arn(scope: ArnScope, bucket: string, key?: string): string {
  return `arn:${scope.partition}:s3:::${bucket}${key === undefined ? "" : `/${key}`}`;
}

/** The pattern matching every stack named `<prefix>-…` in the deployment's region. */
export function stackArnPattern(scope: ArnScope, stackPrefix: string): string {
  return regionalArn(scope, "cloudformation", `stack/${stackPrefix}-*/*`);
}

/** The log streams of a function's log group: both CreateLogStream and PutLogEvents act on a stream. */
export function logStreamsArn(scope: ArnScope, logGroupName: string): string {
  return regionalArn(scope, "logs", `log-group:${logGroupName}:log-stream:*`);
}
