import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config/index.js";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import type { HandlerEnvironment } from "../../functions/shared/handler-environment.js";
import {
  policyDocument,
  policyJson,
  serviceTrustPolicy,
  type PolicyStatement,
} from "../iam/policy-document.js";

/** Properties of a {@link HandlerFunction}. */
export interface HandlerFunctionProps {
  readonly functionName: string;
  /**
   * The built bundle folder holding `index.mjs`. What ships is its zip,
   * `<bundleDir>.zip`, which build.mjs writes beside it.
   */
  readonly bundleDir: string;
  /** Exactly the variables the handler decodes (AWS_REGION is Lambda's own). */
  readonly environment: Readonly<HandlerEnvironment>;
  /** The execution role's only permissions. */
  readonly statements: readonly PolicyStatement[];
  readonly deadLetterQueueArn: string;
  readonly logRetentionDays: number;
  readonly memorySize: number;
  /** Seconds. */
  readonly timeout: number;
  /**
   * Executions reserved for (and capping) this function; `undefined` leaves
   * it in the account's unreserved pool. Lambda keeps at least 100 of the
   * account's concurrency unreserved, so a reservation fails on an account
   * whose limit is below 100 plus every reservation (new accounts can start
   * at 10): ask AWS to raise it, or set "unreserved".
   */
  readonly reservedConcurrency?: number | undefined;
}

/** The log group Lambda writes a function's logs to. */
export function logGroupNameFor(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** Lambda's default: the event is retried twice after the first failure. */
const RETRY_ATTEMPTS = 2;

/**
 * One handler: its own role and inline policy, its own log group with a
 * retention, the function built from the bundle, and an async-invoke config
 * that retries and then parks the event in the dead-letter queue.
 */
export class HandlerFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  /** The role's one inline policy: whatever must wait for the function's permissions depends on it. */
  readonly permissions: IamRolePolicy;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      name: props.functionName,
      assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com"),
    });
    const policy = (this.permissions = new IamRolePolicy(this, "permissions", {
      name: "least-privilege",
      role: this.role.id,
      policy: policyJson(policyDocument(props.statements)),
    }));
    // Terraform owns the group, so the role needs no logs:CreateLogGroup and
    // the logs expire instead of piling up forever.
    const logGroup = (this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: logGroupNameFor(props.functionName),
      retentionInDays: props.logRetentionDays,
    }));
    // Copied into the stack's assets/ folder, so the output names no path on this machine.
    const bundle = new TerraformAsset(this, "bundle", {
      path: `${props.bundleDir}.zip`,
      type: AssetType.FILE,
    });
    const variables = Object.fromEntries(
      Object.entries(props.environment).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
    this.function = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      role: this.role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename: bundle.path,
      // The zip is deterministic, so its hash changes only with the code.
      sourceCodeHash: bundle.assetHash,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      environment: { variables },
      dependsOn: [policy, logGroup],
    });
    new LambdaFunctionEventInvokeConfig(this, "async", {
      functionName: this.function.functionName,
      maximumRetryAttempts: RETRY_ATTEMPTS,
      destinationConfig: { onFailure: { destination: props.deadLetterQueueArn } },
    });
  }
}
