import type { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import type { S3Client } from "@aws-sdk/client-s3";
import { Logger } from "@aws-lambda-powertools/logger";
import { isLeft } from "fp-ts/lib/Either.js";
import type * as t from "io-ts";
import type { DeleteEnvironment } from "../handler-environment.js";
import { decodeReadably } from "../readable-errors.js";
import { createCloudFormationClient, createS3Client } from "./aws-clients.js";
import { DynamoClusterRegistry } from "./cluster-registry.js";
import { decisionLogOf } from "./decision-log.js";
import { deploymentSource } from "./deployment-source.js";
import type { HandlerDeps } from "./handler-deps.js";
import type { MoneyLoader } from "./money.js";
import { moneyFor } from "./money-loader.js";
import { createNotifier } from "./notifier.js";
import { OutcomeReporter } from "./outcome-reporter.js";
import { UserHome } from "./user-home.js";

/**
 * What both handlers build at cold start: their common dependencies but the
 * stacks (each handler's `Stacks` differs), and the clients those are built on.
 */
export interface CommonWiring<E> extends Omit<HandlerDeps<E>, "stacks" | "money"> {
  readonly logger: Logger;
  readonly s3: S3Client;
  readonly cfn: CloudFormationClient;
  /** The usage ledger, EC2's records and prices; `undefined` when the deployment keeps no usage. */
  readonly money: MoneyLoader | undefined;
}

/**
 * Decodes the environment (failing the cold start with every problem named)
 * and builds the clients and adapters both handlers use, once. The logger's
 * level comes from `POWERTOOLS_LOG_LEVEL`. The cluster template is loaded
 * only by a handler whose configuration has a template key (cf-create).
 * The clock is the system's: the one place a handler's `now` is `Date.now`.
 */
export function wireHandler<E extends DeleteEnvironment>(
  serviceName: string,
  codec: t.Type<E, unknown, unknown>,
  environment: Readonly<Record<string, string | undefined>>,
): CommonWiring<E> {
  const logger = new Logger({ serviceName });
  const log = decisionLogOf(logger);
  const decoded = decodeReadably(codec, environment);
  if (isLeft(decoded))
    throw new Error(`${serviceName} is misconfigured: ${decoded.left.join(" ")}`);
  const env = decoded.right;
  const s3 = createS3Client(env);
  const home = new UserHome(s3, env.FD_USER_BUCKET);
  const cfn = createCloudFormationClient(env);
  // Read at each call, not bound at cold start: tests that fake `Date` move it.
  const now = () => Date.now();
  return {
    env,
    logger,
    log,
    s3,
    cfn,
    home,
    deployment: deploymentSource(s3, {
      bucket: env.FD_CUSTOMIZER_BUCKET,
      policyKey: env.FD_POLICY_KEY,
      templateKey:
        "FD_TEMPLATE_KEY" in env && typeof env.FD_TEMPLATE_KEY === "string"
          ? env.FD_TEMPLATE_KEY
          : undefined,
    }),
    reporter: new OutcomeReporter(home, createNotifier(env, log)),
    registry: new DynamoClusterRegistry(env.FD_REGISTRY_TABLE, env.AWS_REGION),
    money: moneyFor(env, home, cfn.config.credentials, environment, now),
    now,
  };
}
