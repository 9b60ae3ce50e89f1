import type { DeleteEnvironment } from "../shared/handler-environment.js";
import type { ClusterRegistry } from "../shared/runtime/cluster-registry.js";
import type { DecisionLog } from "../shared/runtime/decision-log.js";
import type { Deployment } from "../shared/runtime/deployment-source.js";
import type { MoneyLoader } from "../shared/runtime/money.js";
import type { OutcomeReporter } from "../shared/runtime/outcome-reporter.js";
import type { Stacks } from "../shared/runtime/stacks.js";
import type { UserHome } from "../shared/runtime/user-home.js";

/** Everything cf-delete works with, built once per cold start by `index.ts` and injected by tests. */
export interface DeleteDeps {
  readonly env: DeleteEnvironment;
  readonly home: UserHome;
  readonly stacks: Stacks;
  readonly deployment: () => Promise<Deployment>;
  readonly reporter: OutcomeReporter;
  /** Users' slots and request counts: the quota that holds under concurrency. */
  readonly registry: ClusterRegistry;
  readonly log: DecisionLog;
  /** The usage ledger, EC2's records and the prices; `undefined` when the deployment keeps no usage. */
  readonly money?: MoneyLoader | undefined;
}
