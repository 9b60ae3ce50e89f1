import * as t from "io-ts";
import { EmailCodec } from "./identifiers.js";
import { patternCodec, sentenceCodec } from "./readable-errors.js";

/*
 * The handlers' configuration, read only from environment variables and
 * decoded once per cold start with `decodeReadably`. The infrastructure sets
 * these names (it imports {@link HandlerEnvironment} to type them), and
 * docs/how-it-works.md lists them (tests/docs/figures.test.ts checks that).
 * Decoding keeps only the declared variables, so what a handler's
 * configuration holds follows from its type: cf-delete's has no template
 * key, whatever else the process carries.
 */

const NonEmpty = sentenceCodec<string>("NonEmpty", "set and not empty", (input) =>
  typeof input === "string" && input.trim() !== "" ? input.trim() : undefined,
);

const Flag = sentenceCodec<"true" | "false">("Flag", '"true" or "false"', (input) =>
  input === "true" || input === "1"
    ? "true"
    : input === "false" || input === "0" || input === ""
      ? "false"
      : undefined,
);

const RoleArn = patternCodec(
  "RoleArn",
  /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
  "an IAM role ARN",
);

const Common = t.intersection([
  t.exact(
    t.type({
      /** AWS region of the stacks and buckets; Lambda sets it. */
      AWS_REGION: NonEmpty,
      /** The bucket holding users' `home/<user>/` folders. */
      FD_USER_BUCKET: NonEmpty,
      /** The bucket holding the customizer scripts, the cluster template and the policy. */
      FD_CUSTOMIZER_BUCKET: NonEmpty,
      /** Key of the deployment policy JSON in the customizer bucket. */
      FD_POLICY_KEY: NonEmpty,
      /** The DynamoDB table of the cluster registry: users' slots and request counts. */
      FD_REGISTRY_TABLE: NonEmpty,
      /** The role CloudFormation builds clusters with: a stack created with another is not FlightDeck's. */
      FD_SERVICE_ROLE_ARN: RoleArn,
    }),
  ),
  t.exact(
    t.partial({
      /** Sender address for notifications; notifications are off when unset. */
      FD_NOTIFY_FROM: EmailCodec,
      /** Admin address that receives every notification. */
      FD_NOTIFY_ADMIN: EmailCodec,
      /** Region of the SES identity, when SES is not in the stacks' region. */
      FD_SES_REGION: NonEmpty,
      /** `true` to address S3 by path, as local S3 servers need. */
      FD_S3_FORCE_PATH_STYLE: Flag,
      /** The deployment's account: every S3 call names it as the expected bucket owner. */
      FD_ACCOUNT_ID: patternCodec("AccountId", /^\d{12}$/, "a 12-digit AWS account id"),
      /** The usage ledger's DynamoDB table: spend per cluster and month, and budgets' state. Money is off without it. */
      FD_USAGE_TABLE: NonEmpty,
      /** Where the Price List API is asked (us-east-1 unless set: it answers in few regions). */
      FD_PRICING_REGION: NonEmpty,
    }),
  ),
]);

/** The cf-create function's configuration. */
export const CreateEnvironmentCodec = t.intersection([
  Common,
  t.exact(
    t.type({
      /** Key of the cluster template in the customizer bucket; passed to CloudFormation as a TemplateURL. */
      FD_TEMPLATE_KEY: NonEmpty,
    }),
  ),
  t.exact(
    t.partial({
      /** Stack output holding the login IP (default `LoginIp`). */
      FD_LOGIN_IP_OUTPUT: NonEmpty,
    }),
  ),
]);
export type CreateEnvironment = t.TypeOf<typeof CreateEnvironmentCodec>;

/** The cf-delete function's configuration. */
export const DeleteEnvironmentCodec = Common;
export type DeleteEnvironment = t.TypeOf<typeof DeleteEnvironmentCodec>;

/** Every variable either handler reads, for the infrastructure and the docs. */
export type HandlerEnvironment = Partial<
  Record<keyof CreateEnvironment | keyof DeleteEnvironment, string>
>;
