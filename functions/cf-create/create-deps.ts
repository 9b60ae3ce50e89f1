import type { S3Client } from "@aws-sdk/client-s3";
import type { CreateEnvironment } from "../shared/handler-environment.js";
import type { ClusterRegistry } from "../shared/runtime/cluster-registry.js";
import type { DecisionLog } from "../shared/runtime/decision-log.js";
import type { Deployment } from "../shared/runtime/deployment-source.js";
import type { MoneyLoader } from "../shared/runtime/money.js";
import type { OutcomeReporter } from "../shared/runtime/outcome-reporter.js";
import type { Stacks } from "../shared/runtime/stacks.js";
import type { UserHome } from "../shared/runtime/user-home.js";

/** Everything cf-create works with, built once per cold start by `index.ts` and injected by tests. */
export interface CreateDeps {
  readonly env: CreateEnvironment;
  /** For the provisioning check in the customizer bucket. */
  readonly s3: S3Client;
  readonly home: UserHome;
  readonly stacks: Stacks;
  readonly deployment: () => Promise<Deployment>;
  readonly reporter: OutcomeReporter;
  /** Users' slots and request counts: the quota that holds under concurrency. */
  readonly registry: ClusterRegistry;
  readonly log: DecisionLog;
  /** The usage ledger and the prices; `undefined` when the deployment keeps no usage. */
  readonly money?: MoneyLoader | undefined;
}
