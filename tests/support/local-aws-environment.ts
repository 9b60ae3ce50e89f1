import { CUSTOMIZER_BUCKET, USER_BUCKET } from "./local-s3.js";
import { REGISTRY_TABLE } from "./local-stores.js";

/*
 * The environment a LocalAws world's handlers run with, as the deployment
 * would set it: every AWS endpoint on loopback (S3 through the fault proxy;
 * CloudFormation, SES and STS at the fake; DynamoDB at dynalite), the
 * credentials s3rver accepts, and FlightDeck's settings: the buckets, the
 * keys of the policy and template the world seeds, the service role and the
 * registry's table.
 */

export const POLICY_KEY = "flightdeck/policy-test.json";
export const TEMPLATE_KEY = "flightdeck/templates/cluster-test.json";
export const SERVICE_ROLE_ARN = "arn:aws:iam::111122223333:role/flightdeck/cluster-builder";

/** The loopback URLs the handlers reach AWS at. */
export interface Endpoints {
  readonly s3: string;
  readonly query: string;
  readonly dynamo: string;
}

/** What the world's options say of the environment. */
export interface EnvironmentChoices {
  /** Whether the handlers send email (they do unless `false`). */
  readonly notify?: boolean;
  /** Whether the handlers' log lines are wanted (at INFO), rather than silenced. */
  readonly captureLogs?: boolean;
  /** Extra environment, over the defaults. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The handlers' environment: every AWS endpoint on loopback, and FlightDeck's settings. */
export function handlerEnvironment(
  choices: EnvironmentChoices,
  urls: Endpoints,
): Record<string, string> {
  return {
    AWS_REGION: "eu-west-2",
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_ENDPOINT_URL_S3: urls.s3,
    AWS_ENDPOINT_URL_CLOUDFORMATION: urls.query,
    AWS_ENDPOINT_URL_SES: urls.query,
    AWS_ENDPOINT_URL_STS: urls.query,
    AWS_ENDPOINT_URL_DYNAMODB: urls.dynamo,
    AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
    AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL:
      process.env["FD_TEST_LOGS"] === "1" || choices.captureLogs === true ? "INFO" : "SILENT",
    FD_S3_FORCE_PATH_STYLE: "true",
    FD_USER_BUCKET: USER_BUCKET,
    FD_CUSTOMIZER_BUCKET: CUSTOMIZER_BUCKET,
    FD_POLICY_KEY: POLICY_KEY,
    FD_TEMPLATE_KEY: TEMPLATE_KEY,
    FD_SERVICE_ROLE_ARN: SERVICE_ROLE_ARN,
    FD_REGISTRY_TABLE: REGISTRY_TABLE,
    ...choices.env,
    ...(choices.notify !== false && {
      FD_NOTIFY_FROM: "flightdeck@example.org",
      FD_NOTIFY_ADMIN: "admin@example.org",
    }),
  };
}
