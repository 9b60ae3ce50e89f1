/*
 * What a storm must leave behind, checked from the outside: the users' homes,
 * every stack CloudFormation ever held, and the dead-letter queue. Pure, so
 * its own test can show it catches a lost or a doubled request.
 */

/** What a storm left behind. */
export interface StormState {
  /** Every request of the storm: one cluster of one user. */
  readonly requests: ReadonlyArray<{ readonly user: string; readonly cluster: string }>;
  /** The names of the files in each user's home at the end. */
  readonly homes: ReadonlyMap<string, readonly string[]>;
  /** Every stack CloudFormation has held, deleted ones included. */
  readonly stacks: ReadonlyArray<{ readonly name: string; readonly status: string }>;
  readonly deadLetters: number;
  /** The key of every result file written, in order (a rewrite counts again). */
  readonly resultWrites: readonly string[];
}

/** What a storm phase asked for: every cluster up, or every cluster gone. */
export type StormPhase = "created" | "deleted";

/** What the audit found; a clean storm has every list empty and no dead letters. */
export interface StormAudit {
  /** Requests without their result file. */
  readonly lost: readonly string[];
  /** Clusters with more than one stack. */
  readonly duplicatedStacks: readonly string[];
  /** Requests whose home holds anything but the one expected result file. */
  readonly wrongFiles: readonly string[];
  /** Clusters whose stack is not in the phase's final status. */
  readonly wrongStacks: readonly string[];
  readonly deadLetters: number;
  /** Result files written per request, on average (a rewrite of the same file counts). */
  readonly resultWritesPerRequest: number;
}

const EXPECTED: Readonly<Record<StormPhase, { file: string; status: string }>> = {
  created: { file: "cf-created", status: "CREATE_COMPLETE" },
  deleted: { file: "cf-deleted", status: "DELETE_COMPLETE" },
};

/** Checks that every request ended in exactly one result file and one stack, and nothing was dead-lettered. */
export function auditStorm(
  phase: StormPhase,
  state: StormState,
  stackNameOf: (user: string, cluster: string) => string,
): StormAudit {
  const expected = EXPECTED[phase];
  const stacksByName = new Map<string, string[]>();
  for (const stack of state.stacks) {
    stacksByName.set(stack.name, [...(stacksByName.get(stack.name) ?? []), stack.status]);
  }
  const lost: string[] = [];
  const duplicatedStacks: string[] = [];
  const wrongFiles: string[] = [];
  const wrongStacks: string[] = [];
  for (const { user, cluster } of state.requests) {
    const id = `${user}/${cluster}`;
    const files = (state.homes.get(user) ?? [])
      .filter((name) => name.startsWith(`${cluster}.cf-`))
      .sort();
    if (!files.includes(`${cluster}.${expected.file}`)) lost.push(id);
    else if (files.length !== 1) wrongFiles.push(`${id}: ${files.join(", ")}`);
    const statuses = stacksByName.get(stackNameOf(user, cluster)) ?? [];
    if (statuses.length > 1) duplicatedStacks.push(`${id}: ${statuses.length} stacks`);
    if (statuses.length === 0 || statuses.some((status) => status !== expected.status))
      wrongStacks.push(`${id}: ${statuses.join(", ") || "no stack"}`);
  }
  return {
    lost,
    duplicatedStacks,
    wrongFiles,
    wrongStacks,
    deadLetters: state.deadLetters,
    resultWritesPerRequest:
      state.requests.length === 0 ? 0 : state.resultWrites.length / state.requests.length,
  };
}
