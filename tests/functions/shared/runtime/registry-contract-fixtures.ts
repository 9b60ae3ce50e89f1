import type { ClusterSlot } from "../../../../functions/shared/cluster-registry.js";
import type { ClusterName, UserId } from "../../../../functions/shared/identifiers.js";

/* The names and claims the registry contract's cases share (registry-contract.ts). */

export const alice = "alice" as UserId;
export const bob = "bob" as UserId;
export const c = (name: string) => name as ClusterName;
export const claim = (token: string, vcpus = 6, nowMs = 1_000_000) => ({ token, vcpus, nowMs });
export const STACK = "arn:aws:cloudformation:eu-west-2:111122223333:stack/fd-alice-c1/1";

/** A slot's fields that hold a value: an absent field and an undefined one read the same. */
export const defined = (slot: ClusterSlot | undefined) =>
  slot === undefined
    ? undefined
    : Object.fromEntries(Object.entries(slot).filter(([, value]) => value !== undefined));
