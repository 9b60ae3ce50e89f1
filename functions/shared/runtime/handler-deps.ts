import type { ClusterRegistry } from "./cluster-registry.js";
import type { DecisionLog } from "./decision-log.js";
import type { Deployment } from "./deployment-source.js";
import type { MoneyLoader } from "./money.js";
import type { OutcomeReporter } from "./outcome-reporter.js";
import type { Stacks } from "./stacks.js";
import type { UserHome } from "./user-home.js";

/**
 * What both handlers work with, built once per cold start by their
 * `index.ts` (see wiring.ts) and injected by tests. `E` is the handler's
 * decoded environment; a handler adds only what it alone needs.
 */
export interface HandlerDeps<E> {
  readonly env: E;
  readonly home: UserHome;
  readonly stacks: Stacks;
  readonly deployment: () => Promise<Deployment>;
  readonly reporter: OutcomeReporter;
  /** Users' slots and request counts: the quota that holds under concurrency. */
  readonly registry: ClusterRegistry;
  readonly log: DecisionLog;
  /** The usage ledger, EC2's records and the prices; `undefined` when the deployment keeps no usage. */
  readonly money?: MoneyLoader | undefined;
  /** The time now, in ms since the epoch: `Date.now` when deployed, a test's clock in tests. */
  readonly now: () => number;
}
