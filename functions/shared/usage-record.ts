import { isRight } from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import type { InstanceUse, Market } from "./spend.js";

/*
 * What the control plane keeps of a cluster's instances between sweeps: EC2
 * shows a terminated instance for about an hour only, so each one the sweep
 * sees is recorded (type, zone, market, launch, end, disk) and the cluster's
 * spend is computed from the record, whatever EC2 still shows. This module
 * merges what EC2 shows now into the record, and reads the record back.
 */

/** An instance as `DescribeInstances` shows it now. */
export interface ObservedInstance {
  readonly id: string;
  readonly type: string;
  readonly zone: string;
  readonly market: Market;
  readonly launchedAt: number;
  /** EC2's state: pending, running, shutting-down, terminated, stopping or stopped. */
  readonly state: string;
  /** When it stopped running, when EC2's state-transition reason says. */
  readonly endedAt?: number | undefined;
  /** GiB of its EBS volumes, when they could be described. */
  readonly diskGiB?: number | undefined;
}

/** States in which an instance no longer runs (nor bills for compute). */
const ENDED_STATES: ReadonlySet<string> = new Set(["terminated", "stopped", "shutting-down"]);

/**
 * The record after a sweep: every instance known before or seen now. What
 * EC2 shows now wins (an instance seen running again is running); an
 * instance that ended gets EC2's own end time, else the first time it was
 * seen ended (`nowMs`); one the record has as running that EC2 no longer
 * shows ended at the latest by `nowMs`, which is what it is charged to (an
 * over- rather than an under-estimate: EC2 shows ended instances for about
 * an hour, four sweeps, so this needs sweeps to have failed for an hour).
 */
export function mergeInstances(
  known: readonly InstanceUse[],
  observed: readonly ObservedInstance[],
  nowMs: number,
): InstanceUse[] {
  const merged = new Map<string, InstanceUse>(known.map((use) => [use.id, use]));
  const seen = new Set<string>();
  for (const instance of observed) {
    seen.add(instance.id);
    const before = merged.get(instance.id);
    const ended = ENDED_STATES.has(instance.state);
    merged.set(instance.id, {
      id: instance.id,
      type: instance.type,
      zone: instance.zone,
      market: instance.market,
      launchedAt: instance.launchedAt,
      endedAt: ended ? (instance.endedAt ?? before?.endedAt ?? nowMs) : undefined,
      diskGiB: instance.diskGiB ?? before?.diskGiB ?? 0,
    });
  }
  for (const [id, use] of merged) {
    if (!seen.has(id) && use.endedAt === undefined) merged.set(id, { ...use, endedAt: nowMs });
  }
  return [...merged.values()].sort((a, b) => a.launchedAt - b.launchedAt || (a.id < b.id ? -1 : 1));
}

/** Instances with a disk size unknown (its volumes were gone before the sweep saw them) take the size of another of the same type. */
export function fillDiskSizes(uses: readonly InstanceUse[]): InstanceUse[] {
  const byType = new Map<string, number>();
  for (const use of uses) if (use.diskGiB > 0) byType.set(use.type, use.diskGiB);
  return uses.map((use) =>
    use.diskGiB > 0 ? use : { ...use, diskGiB: byType.get(use.type) ?? 0 },
  );
}

const InstanceUseCodec = t.intersection([
  t.type({
    id: t.string,
    type: t.string,
    zone: t.string,
    market: t.union([t.literal("on-demand"), t.literal("spot")]),
    launchedAt: t.number,
    diskGiB: t.number,
  }),
  t.partial({ endedAt: t.number }),
]);

/** The record as kept in the ledger: JSON, compact. */
export function encodeInstances(uses: readonly InstanceUse[]): string {
  return JSON.stringify(uses);
}

/** Reads a record back; anything unreadable is dropped (and then seen again, or re-added, by EC2). */
export function decodeInstances(text: string | undefined): InstanceUse[] {
  if (text === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(json)) return [];
  return json.flatMap((item) => {
    const decoded = InstanceUseCodec.decode(item);
    return isRight(decoded) ? [decoded.right] : [];
  });
}

/** Reads a `{ month: usd }` map back. */
export function decodeMonthly(text: string | undefined): Record<string, number> {
  try {
    const json: unknown = JSON.parse(text ?? "{}");
    if (typeof json !== "object" || json === null || Array.isArray(json)) return {};
    return Object.fromEntries(
      Object.entries(json).filter(
        (entry): entry is [string, number] =>
          /^\d{4}-\d\d$/.test(entry[0]) && typeof entry[1] === "number",
      ),
    );
  } catch {
    return {};
  }
}
