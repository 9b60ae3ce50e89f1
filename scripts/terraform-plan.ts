/*
 * Reading `terraform show -json` output: the summary `npm run plan` prints,
 * and the shape the plan tests read.
 */

/** The parts of `terraform show -json` the summary reads. */
export interface PlanJson {
  readonly resource_changes?: ReadonlyArray<{
    readonly type: string;
    readonly address: string;
    readonly change: { readonly actions: readonly string[]; readonly before?: unknown };
  }>;
  readonly planned_values?: {
    readonly outputs?: Readonly<Record<string, { readonly value?: unknown }>>;
  };
}

/** A readable summary: resources to create by type, then the outputs known before apply. */
export function planSummary(plan: PlanJson): string {
  const counts = new Map<string, number>();
  let total = 0;
  for (const change of plan.resource_changes ?? []) {
    if (change.change.actions.includes("no-op")) continue;
    counts.set(change.type, (counts.get(change.type) ?? 0) + 1);
    total += 1;
  }
  const width = Math.max(0, ...[...counts.keys()].map((type) => type.length));
  const lines = [`Resources to create or change: ${total}`];
  for (const [type, count] of [...counts.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  ${type.padEnd(width)}  ${count}`);
  }
  lines.push("Outputs:");
  for (const [name, output] of Object.entries(plan.planned_values?.outputs ?? {}).sort()) {
    lines.push(
      `  ${name} = ${output.value === undefined ? "(known after apply)" : String(output.value)}`,
    );
  }
  return lines.join("\n");
}

/**
 * The deployment's limits in force, one a line, each marked when it is
 * FlightDeck's default, which applies because the settings file names no
 * value for it (`defaulted`), rather than the admin's.
 */
export function limitsSummary(
  limits: Readonly<Record<string, unknown>>,
  defaulted: ReadonlySet<string>,
): string {
  const lines = ["Limits in force for every user (users' own limits override them):"];
  for (const [name, value] of Object.entries(limits).sort(([a], [b]) => a.localeCompare(b))) {
    const shown = Array.isArray(value) ? value.join(", ") : String(value);
    lines.push(
      `  ${name} = ${shown}${defaulted.has(name) ? "  (FlightDeck's default: set limits to change it)" : ""}`,
    );
  }
  return lines.join("\n");
}
