import type { Invocation } from "../../tests/support/storm/lambda-invocation.js";
import { STORM_CLUSTER_CONFIG } from "../../tests/support/storm/storm-policy.js";
import type { StormWorld } from "../../tests/support/storm/storm-world.js";

/* Scenario 5's flood, and how its invocations are told apart. */

/**
 * The flood: `size` uploads into one home, well-formed and malformed mixed: creates of fresh
 * clusters, keys in sub-folders and with names no cluster can have, `.cf-extend` bodies that
 * are not JSON, and deletes of clusters that never were.
 */
export function floodOf(user: string, size: number): Array<[string, string]> {
  const kinds = [
    (i: number) => [`home/${user}/f${i}.cf-create`, STORM_CLUSTER_CONFIG],
    (i: number) => [`home/${user}/deep/f${i}.cf-create`, STORM_CLUSTER_CONFIG],
    (i: number) => [`home/${user}/${"x".repeat(80)}${i}.cf-create`, "{"],
    (i: number) => [`home/${user}/f${i}.cf-extend`, "not json"],
    (i: number) => [`home/${user}/f${i}.cf-delete`, "please\n"],
  ];
  return Array.from({ length: size }, (_, i) => kinds[i % kinds.length]?.(i) as [string, string]);
}

/**
 * Uploads the flood 20 at a time, while the `others` create a second cluster
 * (at a quarter of the flood) and delete their first (at half).
 */
export async function uploadFlood(
  world: StormWorld,
  flood: ReadonlyArray<readonly [string, string]>,
  others: readonly string[],
): Promise<void> {
  const othersAt = new Map([
    [
      Math.floor(flood.length / 4),
      (user: string) => world.put(`home/${user}/new.cf-create`, STORM_CLUSTER_CONFIG),
    ],
    [
      Math.floor(flood.length / 2),
      (user: string) => world.put(`home/${user}/keep.cf-delete`, "please\n"),
    ],
  ]);
  let next = 0;
  const worker = async () => {
    while (next < flood.length) {
      const index = next;
      next += 1;
      const own = othersAt.get(index);
      if (own !== undefined) await Promise.all(others.map(own));
      const [key, body] = flood[index] ?? ["", ""];
      await world.put(key, body);
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
}

/** The user an event is for: the home of an upload's key, or the owner in a stack's name. */
export function userOf(event: unknown, users: readonly string[]): string | undefined {
  const key = (event as { Records?: Array<{ s3?: { object?: { key?: string } } }> }).Records?.[0]
    ?.s3?.object?.key;
  if (key !== undefined) return key.split("/")[1];
  const stackId = (event as { detail?: { "stack-id"?: string } }).detail?.["stack-id"] ?? "";
  return users.find((user) => stackId.includes(`:stack/fd-${user}-`));
}

/** Whether an event is the system's own: a stack event or the sweep's tick. */
export const isSystemEvent = (i: Invocation) => i.source === "async" && !i.kind.endsWith("request");

/** The key of an upload's event. */
export const keyOf = (i: Invocation) =>
  (i.event as { Records: Array<{ s3: { object: { key: string } } }> }).Records[0]?.s3.object.key ??
  "";
