import { parseIsoTime } from "../money.js";
import type { PricePoint } from "../spend.js";
import type { ObservedInstance } from "../usage-record.js";
import {
  childOf,
  itemsOf,
  queryCall,
  textOf,
  type AwsAccess,
  type XmlElement,
} from "./signed-call.js";

/*
 * What EC2 itself records of the clusters, read with three calls that take
 * no resource-level permissions (hence `*` in the role, read-only):
 * - DescribeInstances, filtered by the `aws:cloudformation:stack-id` tag
 *   CloudFormation puts on every instance a stack launches, its Auto Scaling
 *   group's too: each instance's type, zone, market, launch and end;
 * - DescribeVolumes: the size of their disks;
 * - DescribeSpotPriceHistory: the spot price in force, per type and zone.
 */

const VERSION = "2016-11-15";
/** EC2 takes up to 200 values in one filter. */
const FILTER_VALUES = 200;
const STACK_ID_TAG = "aws:cloudformation:stack-id";

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A paged EC2 call: every page's root, following `nextToken`. */
async function pages(
  access: AwsAccess,
  params: Record<string, string>,
  each: (page: XmlElement) => void,
): Promise<void> {
  let token: string | undefined;
  do {
    const page = await queryCall(access, "ec2", VERSION, {
      ...params,
      ...(token === undefined ? {} : { NextToken: token }),
    });
    each(page);
    token = textOf(page, "nextToken");
  } while (token !== undefined);
}

/** `Filter.N.Name` and its values. */
function filter(n: number, name: string, values: readonly string[]): Record<string, string> {
  const params: Record<string, string> = { [`Filter.${n}.Name`]: name };
  values.forEach((value, i) => (params[`Filter.${n}.Value.${i + 1}`] = value));
  return params;
}

/** The time EC2's state-transition reason gives ("User initiated (2026-12-06 10:00:00 GMT)"). */
export function transitionTime(reason: string | undefined): number | undefined {
  const match = /\((\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) GMT\)/.exec(reason ?? "");
  if (match === null) return undefined;
  const ms = parseIsoTime(`${match[1]}T${match[2]}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** An instance as EC2 shows it, with the stack it belongs to and its volumes. */
export interface StackInstance {
  readonly stackId: string;
  readonly instance: ObservedInstance;
  readonly volumeIds: readonly string[];
}

/** Reads one `instancesSet` item. */
function stackInstanceOf(item: XmlElement): StackInstance | undefined {
  const tags = new Map(itemsOf(item["tagSet"]).map((t) => [textOf(t, "key"), textOf(t, "value")]));
  const stackId = tags.get(STACK_ID_TAG);
  const id = textOf(item, "instanceId");
  const type = textOf(item, "instanceType");
  const launchedAt = parseIsoTime(textOf(item, "launchTime") ?? "");
  if (stackId === undefined || id === undefined || type === undefined || Number.isNaN(launchedAt))
    return undefined;
  const state = childOf(item, "instanceState");
  return {
    stackId,
    instance: {
      id,
      type,
      zone: textOf(childOf(item, "placement") ?? {}, "availabilityZone") ?? "",
      market: textOf(item, "instanceLifecycle") === "spot" ? "spot" : "on-demand",
      launchedAt,
      state: (state === undefined ? undefined : textOf(state, "name")) ?? "running",
      endedAt: transitionTime(textOf(item, "reason")),
    },
    volumeIds: itemsOf(item["blockDeviceMapping"]).flatMap((mapping) => {
      const volume = textOf(childOf(mapping, "ebs") ?? {}, "volumeId");
      return volume === undefined ? [] : [volume];
    }),
  };
}

/**
 * Every instance of these stacks EC2 still shows (running ones, and ended
 * ones for about an hour), one call per 200 stacks and page of 1000.
 */
export async function describeStackInstances(
  access: AwsAccess,
  stackIds: readonly string[],
): Promise<StackInstance[]> {
  const found: StackInstance[] = [];
  for (const batch of chunks(stackIds, FILTER_VALUES)) {
    await pages(
      access,
      {
        Action: "DescribeInstances",
        MaxResults: "1000",
        ...filter(1, `tag:${STACK_ID_TAG}`, batch),
      },
      (page) => {
        for (const reservation of itemsOf(page["reservationSet"])) {
          for (const item of itemsOf(reservation["instancesSet"])) {
            const instance = stackInstanceOf(item);
            if (instance !== undefined) found.push(instance);
          }
        }
      },
    );
  }
  return found;
}

/** The size (GiB) of each of these volumes that still exists; filtered, so a deleted one is simply absent. */
export async function describeVolumeSizes(
  access: AwsAccess,
  volumeIds: readonly string[],
): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const batch of chunks([...new Set(volumeIds)], FILTER_VALUES)) {
    await pages(
      access,
      { Action: "DescribeVolumes", MaxResults: "500", ...filter(1, "volume-id", batch) },
      (page) => {
        for (const item of itemsOf(page["volumeSet"])) {
          const id = textOf(item, "volumeId");
          const size = Number(textOf(item, "size"));
          if (id !== undefined && Number.isFinite(size)) sizes.set(id, size);
        }
      },
    );
  }
  return sizes;
}

/** A spot price as the history gives it. */
export interface SpotQuote extends PricePoint {
  readonly type: string;
  readonly zone: string;
}

/**
 * The spot price history of Linux instances in `[start, end]`: for these
 * types (all when empty) and zones (all when empty). EC2 includes the price
 * in force at `start`, so a window of one moment gives the current prices.
 */
export async function spotPriceHistory(
  access: AwsAccess,
  query: {
    readonly types: readonly string[];
    readonly zones: readonly string[];
    readonly start: number;
    readonly end: number;
  },
): Promise<SpotQuote[]> {
  const quotes: SpotQuote[] = [];
  const params: Record<string, string> = {
    Action: "DescribeSpotPriceHistory",
    MaxResults: "1000",
    "ProductDescription.1": "Linux/UNIX",
    StartTime: new Date(query.start).toISOString(),
    EndTime: new Date(query.end).toISOString(),
    ...(query.zones.length === 0 ? {} : filter(1, "availability-zone", query.zones)),
  };
  query.types.forEach((type, i) => (params[`InstanceType.${i + 1}`] = type));
  await pages(access, params, (page) => {
    for (const item of itemsOf(page["spotPriceHistorySet"])) {
      const type = textOf(item, "instanceType");
      const zone = textOf(item, "availabilityZone");
      const usd = Number(textOf(item, "spotPrice"));
      const at = parseIsoTime(textOf(item, "timestamp") ?? "");
      if (type !== undefined && zone !== undefined && Number.isFinite(usd) && !Number.isNaN(at))
        quotes.push({ type, zone, usd, at });
    }
  });
  return quotes;
}
