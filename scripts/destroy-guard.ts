/*
 * What `npm run destroy` may delete, and how. A FlightDeck deployment keeps
 * three things a teardown must not take by accident: the cluster registry
 * (a deletion-protected DynamoDB table), each user's home (an EFS file
 * system with `prevent_destroy`), and the users' bucket with every file
 * users uploaded or received. Each goes only with its own flag; with the
 * flags, a Terraform override file lifts the protections for the teardown alone.
 */

/** The override file the teardown writes beside cdk.tf.json, and removes after it. */
export const DESTROY_OVERRIDE = "flightdeck_destroy_override.tf.json";

/** The confirmation flags, each naming what it lets destroy delete. */
export const DESTROY_FLAGS = {
  registry: "--delete-registry",
  homes: "--delete-homes",
} as const;

/** The parts of the synthesized cdk.tf.json the teardown reads. */
export interface SynthesizedStack {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** What the teardown would delete that needs a flag: resource names by kind, the tables' names and whose homes. */
export interface KeptData {
  readonly tables: readonly string[];
  /** The tables' own names (their `name`), as the admin knows them. */
  readonly tableNames: readonly string[];
  readonly buckets: readonly string[];
  readonly homes: readonly string[];
  /** The users the homes belong to (their `USER` tags). */
  readonly homeOwners: readonly string[];
}

const TABLE = "aws_dynamodb_table";
const BUCKET = "aws_s3_bucket";
const HOME = "aws_efs_file_system";

const namesOf = (stack: SynthesizedStack, type: string): string[] =>
  Object.keys(stack.resource?.[type] ?? {}).sort();

/** The tables, buckets and homes a synthesized stack declares. */
export function keptData(stack: SynthesizedStack): KeptData {
  const homes = namesOf(stack, HOME);
  const homeOwners = homes.map((name) => {
    const tags = (stack.resource?.[HOME]?.[name] as { tags?: Record<string, string> }).tags;
    return tags?.["USER"] ?? name;
  });
  const tables = namesOf(stack, TABLE);
  const tableNames = tables.map((name) => {
    const table = stack.resource?.[TABLE]?.[name] as { name?: unknown };
    return typeof table.name === "string" ? table.name : name;
  });
  return { tables, tableNames, buckets: namesOf(stack, BUCKET), homes, homeOwners };
}

/** The flags the teardown was given. */
export interface DestroyFlags {
  readonly deleteRegistry: boolean;
  readonly deleteHomes: boolean;
}

/**
 * Why the teardown may not go ahead with these flags: one sentence per flag
 * missing, saying what it would delete. Empty when every kept thing is
 * covered by its flag.
 */
export function destroyRefusals(kept: KeptData, flags: DestroyFlags): string[] {
  const refusals: string[] = [];
  if (kept.tables.length > 0 && !flags.deleteRegistry) {
    refusals.push(
      `The deployment's records would be deleted: its deletion-protected DynamoDB tables (${kept.tableNames.join(", ")}), among them the cluster registry (which clusters exist, their lifetimes and every user's quota). Pass ${DESTROY_FLAGS.registry} to delete them.`,
    );
  }
  if ((kept.homes.length > 0 || kept.buckets.length > 0) && !flags.deleteHomes) {
    const whose =
      kept.homeOwners.length === 0
        ? "No user has a home file system yet"
        : `The home file systems of ${kept.homeOwners.join(", ")}, and every file in them, would be deleted`;
    refusals.push(
      `${whose}; so would the users' bucket, with every file users uploaded or received, and the customizer bucket. ` +
        `Pass ${DESTROY_FLAGS.homes} to delete them. To keep a user's files, copy them out first (from a cluster, or aws s3 sync from home/<user>/ in the users' bucket).`,
    );
  }
  return refusals;
}

/**
 * The override that lifts the protections for the teardown: the registry's
 * deletion protection off, every bucket emptied on delete (`force_destroy`),
 * every home without `prevent_destroy`. Terraform merges it into cdk.tf.json.
 */
export function destroyOverride(kept: KeptData): object {
  const each = (names: readonly string[], value: object) =>
    Object.fromEntries(names.map((name) => [name, value]));
  const resource: Record<string, object> = {};
  if (kept.tables.length > 0)
    resource[TABLE] = each(kept.tables, { deletion_protection_enabled: false });
  if (kept.buckets.length > 0) resource[BUCKET] = each(kept.buckets, { force_destroy: true });
  if (kept.homes.length > 0)
    resource[HOME] = each(kept.homes, { lifecycle: { prevent_destroy: false } });
  return { resource };
}

/**
 * The `-target`s that write the lifted protections into the state before the
 * teardown (deletion protection and `force_destroy` act only once applied),
 * limited to what the state holds: a target not yet created would be created.
 */
export function protectionTargets(kept: KeptData, inState: readonly string[]): string[] {
  const addresses = [
    ...kept.tables.map((name) => `${TABLE}.${name}`),
    ...kept.buckets.map((name) => `${BUCKET}.${name}`),
  ];
  return addresses.filter((address) => inState.includes(address));
}
