import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { ClusterSlot, RegistryRecord } from "../cluster-registry.js";

/*
 * The registry's item codec. One item per user,
 *   { user, clusters: { <cluster>: { acquiredAt, vcpus, token, stackId?, checkedAt?,
 *                                    expiresAt?, warnedFor?, extendedBy?, endReason? } },
 *     vcpus, rateWindow, rateCount }
 * `vcpus` is the sum of the slots' vCPUs, kept beside them so one
 * conditional write can compare it with the user's limit.
 */

/** A registry item as DynamoDB returns it. */
export type Item = Record<string, AttributeValue>;

export const N = (value: number): AttributeValue => ({ N: String(value) });
export const S = (value: string): AttributeValue => ({ S: value });

function numberOf(value: AttributeValue | undefined): number | undefined {
  return value?.N === undefined ? undefined : Number(value.N);
}

/** Reads a record off an item; missing parts are empty. */
export function recordOfItem(item: Item | undefined): RegistryRecord {
  const clusters = new Map<string, ClusterSlot>();
  for (const [name, value] of Object.entries(item?.["clusters"]?.M ?? {})) {
    const slot = value.M ?? {};
    clusters.set(name, {
      acquiredAt: numberOf(slot["acquiredAt"]) ?? 0,
      vcpus: numberOf(slot["vcpus"]) ?? 0,
      token: slot["token"]?.S ?? "",
      stackId: slot["stackId"]?.S,
      checkedAt: numberOf(slot["checkedAt"]),
      expiresAt: numberOf(slot["expiresAt"]),
      warnedFor: numberOf(slot["warnedFor"]),
      extendedBy: slot["extendedBy"]?.S,
      endReason: slot["endReason"]?.S,
    });
  }
  return { clusters, vcpus: numberOf(item?.["vcpus"]) ?? 0 };
}

/** A new slot as it is written: taken at `nowMs` by the request of `token`. */
export function slotAttribute(claim: {
  readonly vcpus: number;
  readonly token: string;
  readonly nowMs: number;
  readonly expiresAt?: number | undefined;
}): AttributeValue {
  return {
    M: {
      acquiredAt: N(claim.nowMs),
      vcpus: N(claim.vcpus),
      token: S(claim.token),
      ...(claim.expiresAt === undefined ? {} : { expiresAt: N(claim.expiresAt) }),
    },
  };
}
