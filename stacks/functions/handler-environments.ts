import type { HandlerEnvironment } from "../../functions/shared/handler-environment.js";
import type { NotificationSettings } from "../settings/settings-shape.js";

/** The values both handlers' environments are built from. */
export interface EnvironmentInputs {
  readonly region: string;
  readonly userBucket: string;
  readonly customizerBucket: string;
  readonly policyKey: string;
  readonly templateKey: string;
  readonly serviceRoleArn: string;
  readonly registryTable: string;
  /** The usage ledger's table; money is off without it. */
  readonly usageTable?: string | undefined;
  /** When known, every S3 call names it as the expected bucket owner. */
  readonly accountId?: string | undefined;
  readonly notifications?: NotificationSettings;
}

/**
 * Each handler's environment: exactly the variables its codec in
 * functions/shared/handler-environment.ts reads, and no others. AWS_REGION
 * is Lambda's own; FD_SES_REGION only when SES lives in another region.
 */
export function handlerEnvironments(inputs: EnvironmentInputs): {
  create: HandlerEnvironment;
  delete: HandlerEnvironment;
} {
  const { notifications } = inputs;
  const common: HandlerEnvironment = {
    FD_USER_BUCKET: inputs.userBucket,
    FD_CUSTOMIZER_BUCKET: inputs.customizerBucket,
    FD_POLICY_KEY: inputs.policyKey,
    FD_REGISTRY_TABLE: inputs.registryTable,
    ...(inputs.usageTable === undefined ? {} : { FD_USAGE_TABLE: inputs.usageTable }),
    FD_SERVICE_ROLE_ARN: inputs.serviceRoleArn,
    ...(inputs.accountId === undefined ? {} : { FD_ACCOUNT_ID: inputs.accountId }),
    ...(notifications === undefined
      ? {}
      : {
          FD_NOTIFY_FROM: notifications.senderEmail,
          ...(notifications.adminEmail === undefined
            ? {}
            : { FD_NOTIFY_ADMIN: notifications.adminEmail }),
          ...(notifications.sesRegion === inputs.region
            ? {}
            : { FD_SES_REGION: notifications.sesRegion }),
        }),
  };
  return {
    create: { ...common, FD_TEMPLATE_KEY: inputs.templateKey },
    delete: common,
  };
}
