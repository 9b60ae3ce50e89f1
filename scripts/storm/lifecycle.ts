import type { Invocation } from "../../tests/support/storm/lambda-invocation.js";
import { STORM_CLUSTER_CONFIG } from "../../tests/support/storm/storm-policy.js";
import type { StormWorld } from "../../tests/support/storm/storm-world.js";
import { cloudCalls } from "./figures.js";

/* One cluster's whole life, by one user, as scenarios 2 to 4 run it. */

export interface Lifecycle {
  /** CloudFormation calls of the create request alone (throttled ones included). */
  readonly createCalls: number;
  /** Of those, the ones CloudFormation refused as throttled (the SDK retried them). */
  readonly createThrottled: number;
  /** CloudFormation calls of the whole lifecycle. */
  readonly lifecycleCalls: number;
  readonly createRequest: readonly Invocation[];
  /** Every invocation: create request, CREATE_COMPLETE, delete request, DELETE_COMPLETE. */
  readonly all: readonly Invocation[];
}

/** Creates `cluster` for the world's first user, waits for it, deletes it, waits again. */
export async function lifecycle(world: StormWorld, cluster: string): Promise<Lifecycle> {
  const user = world.users[0] ?? "";
  const before = await world.servers.cloudStats();
  const createsBefore = world.create.invocations.length;
  const deletesBefore = world.delete.invocations.length;
  await world.put(`home/${user}/${cluster}.cf-create`, STORM_CLUSTER_CONFIG);
  // The create request's calls: everything until its invocation ends.
  await world.create.invoked(createsBefore, (i) => i.kind === "create request");
  const afterCreate = await world.servers.cloudStats();
  await world.drained();
  await world.put(`home/${user}/${cluster}.cf-delete`, "please\n");
  await world.drained();
  const all = [
    ...world.create.invocations.slice(createsBefore),
    ...world.delete.invocations.slice(deletesBefore),
  ];
  const refused = (s: typeof before) => s.throttledAtRandom + s.throttledByBudget;
  return {
    createCalls: cloudCalls(afterCreate, before.calls.length),
    createThrottled: refused(afterCreate) - refused(before),
    lifecycleCalls: cloudCalls(await world.servers.cloudStats(), before.calls.length),
    createRequest: all.filter((i) => i.kind === "create request"),
    all,
  };
}

/** What Lambda bills for a lifecycle: each invocation's init (when cold) and duration. */
export const billedOf = (run: Lifecycle) => run.all.reduce((n, i) => n + i.billedMs, 0);
