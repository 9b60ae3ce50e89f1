import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ClusterSlot, RegistryRecord, SlotLimits, SlotMatch } from "../cluster-registry.js";
import { quotaRefusal, rateWindowOf, slotMatches } from "../cluster-registry.js";
import type { ClusterName, UserId } from "../identifiers.js";
import { SDK_CLIENT_DEFAULTS } from "./aws-clients.js";
import type * as DynamoCommands from "./dynamodb-client.js";

/*
 * The cluster registry in DynamoDB: one item per user,
 *   { user, clusters: { <cluster>: { acquiredAt, vcpus, token, stackId?, checkedAt?,
 *                                    expiresAt?, warnedFor?, extendedBy?, endReason? } },
 *     vcpus, rateWindow, rateCount }
 * changed only by single-item conditional UpdateItems. Taking a slot is one
 * write that succeeds only while the user is under their limits, so however
 * many invocations race, DynamoDB lets exactly as many through as there is
 * room for. (No transactions: one item per user needs none.)
 */

/** Whether a request may go on under the user's request-rate limit. */
export type Admission = { readonly admitted: true } | { readonly admitted: false };

/** What asking for a slot found. */
export type Acquisition =
  | { readonly kind: "acquired" }
  /** This request already holds the slot: a retried event of the same upload. */
  | { readonly kind: "held" }
  /** Another request's slot holds the name: a racing upload, or a stack not yet done with. */
  | { readonly kind: "taken"; readonly slot: ClusterSlot }
  /** No room; the record shows who holds the slots. */
  | { readonly kind: "full"; readonly record: RegistryRecord };

/** A claim on a slot: its weight, the request taking it, and when. */
export interface SlotClaim {
  readonly vcpus: number;
  readonly token: string;
  readonly nowMs: number;
  /** When the cluster expires. */
  readonly expiresAt?: number | undefined;
}

/** An extension to write: from the expiry read (if any) to the new one, for one upload. */
export interface Extension {
  /** The create token of the slot read, so a re-created cluster of the same name is not moved. */
  readonly token: string;
  readonly from: number | undefined;
  readonly to: number;
  readonly requestId: string;
}

/** The registry as both handlers use it. Every method may be repeated safely. */
export interface ClusterRegistry {
  /** Counts a request against the user's per-minute limit; refuses it once the limit is reached. */
  admit(user: UserId, nowMs: number, perMinute: number): Promise<Admission>;
  /**
   * Takes a slot for the cluster if the user's limits leave room. Only the
   * request whose token took a slot holds it: any other finds it `taken`.
   */
  acquire(
    user: UserId,
    cluster: ClusterName,
    claim: SlotClaim,
    limits: SlotLimits,
  ): Promise<Acquisition>;
  /**
   * Notes the stack a slot's create started, only in the slot the request
   * with `token` took; `false` when that slot is not there (or names another stack).
   */
  recordStack(user: UserId, cluster: ClusterName, token: string, stackId: string): Promise<boolean>;
  /**
   * Frees the cluster's slot if `match` names it ({@link slotMatches}: by its
   * stack's id once recorded, else by the create token that took it);
   * `false` when it does not. `read`: the slot as the caller just read it,
   * which then frees only if it is still exactly that slot (one read fewer).
   */
  release(user: UserId, cluster: string, match: SlotMatch, read?: ClusterSlot): Promise<boolean>;
  /** Notes that these slots' stacks were seen alive. */
  markChecked(user: UserId, clusters: readonly string[], nowMs: number): Promise<void>;
  /** The user's record as it is now. */
  record(user: UserId): Promise<RegistryRecord>;
  /** Every user's record: the lifetime sweep reads the registry, never the account's stacks. */
  allRecords(): Promise<Array<{ readonly user: string; readonly record: RegistryRecord }>>;
  /** Notes that the owner was warned of this expiry; `false` when they already were. */
  markWarned(user: UserId, cluster: string, expiresAt: number): Promise<boolean>;
  /** Notes why FlightDeck itself ends the cluster. */
  markEnding(user: UserId, cluster: string, reason: string): Promise<void>;
  /** Moves the expiry, once per upload and only from the expiry read; `false` when it did not. */
  extend(user: UserId, cluster: string, extension: Extension): Promise<boolean>;
}

type Item = Record<string, AttributeValue>;
type Dynamo = typeof DynamoCommands;

const N = (value: number): AttributeValue => ({ N: String(value) });
const S = (value: string): AttributeValue => ({ S: value });

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

const isConditionFailure = (error: unknown) =>
  (error as { name?: string }).name === "ConditionalCheckFailedException";

/**
 * The registry over a DynamoDB table. The client loads on first use, so a
 * status event that needs no registry does not pay for it at cold start.
 */
export class DynamoClusterRegistry implements ClusterRegistry {
  private loading: Promise<{ client: DynamoDBClient; sdk: Dynamo }> | undefined;

  constructor(
    private readonly table: string,
    private readonly region: string,
    private readonly injected?: DynamoDBClient,
  ) {}

  private dynamo(): Promise<{ client: DynamoDBClient; sdk: Dynamo }> {
    this.loading ??= import("./dynamodb-client.js").then((sdk) => ({
      sdk,
      client:
        this.injected ?? new sdk.DynamoDBClient({ region: this.region, ...SDK_CLIENT_DEFAULTS }),
    }));
    return this.loading;
  }

  /** One conditional UpdateItem; `false` when its condition did not hold. */
  private async update(
    user: UserId,
    expression: {
      readonly update: string;
      readonly condition?: string;
      readonly names: Record<string, string>;
      readonly values?: Record<string, AttributeValue>;
    },
  ): Promise<boolean> {
    const { client, sdk } = await this.dynamo();
    try {
      await client.send(
        new sdk.UpdateItemCommand({
          TableName: this.table,
          Key: { user: S(user) },
          UpdateExpression: expression.update,
          ConditionExpression: expression.condition,
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async admit(user: UserId, nowMs: number, perMinute: number): Promise<Admission> {
    const names = { "#rw": "rateWindow", "#rc": "rateCount", "#cl": "clusters", "#vc": "vcpus" };
    const window = N(rateWindowOf(nowMs));
    // A new window: start counting afresh (and create the record if it is the user's first).
    const opened = await this.update(user, {
      update:
        "SET #rw = :w, #rc = :one, #cl = if_not_exists(#cl, :none), #vc = if_not_exists(#vc, :zero)",
      condition: "attribute_not_exists(#rw) OR #rw < :w",
      names,
      values: { ":w": window, ":one": N(1), ":none": { M: {} }, ":zero": N(0) },
    });
    if (opened) return { admitted: true };
    const counted = await this.update(user, {
      update: "SET #rc = #rc + :one",
      condition: "#rw >= :w AND #rc < :limit",
      names: { "#rw": "rateWindow", "#rc": "rateCount" },
      values: { ":w": window, ":one": N(1), ":limit": N(perMinute) },
    });
    return { admitted: counted };
  }

  async acquire(
    user: UserId,
    cluster: ClusterName,
    claim: SlotClaim,
    limits: SlotLimits,
  ): Promise<Acquisition> {
    const names: Record<string, string> = { "#cl": "clusters", "#c": cluster, "#vc": "vcpus" };
    const values: Record<string, AttributeValue> = {
      ":slot": {
        M: {
          acquiredAt: N(claim.nowMs),
          vcpus: N(claim.vcpus),
          token: S(claim.token),
          ...(claim.expiresAt === undefined ? {} : { expiresAt: N(claim.expiresAt) }),
        },
      },
      ":v": N(claim.vcpus),
    };
    const conditions = ["attribute_exists(#cl)", "attribute_not_exists(#cl.#c)"];
    if (limits.maxClusters !== undefined) {
      conditions.push("size(#cl) < :maxClusters");
      values[":maxClusters"] = N(limits.maxClusters);
    }
    if (limits.maxVcpus !== undefined) {
      // vcpus + v <= max, written so DynamoDB can compare a stored number.
      conditions.push("#vc <= :room");
      values[":room"] = N(limits.maxVcpus - claim.vcpus);
    }
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const taken = await this.update(user, {
        update: "SET #cl.#c = :slot ADD #vc :v",
        condition: conditions.join(" AND "),
        names,
        values,
      });
      if (taken) return { kind: "acquired" };
      const record = await this.record(user);
      const slot = record.clusters.get(cluster);
      if (slot !== undefined)
        return slot.token === claim.token ? { kind: "held" } : { kind: "taken", slot };
      if (quotaRefusal(cluster, claim.vcpus, limits, record).length > 0)
        return { kind: "full", record };
      // Room after all: the user has no record yet, or a slot was freed meanwhile.
      await this.update(user, {
        update: "SET #cl = if_not_exists(#cl, :none), #vc = if_not_exists(#vc, :zero)",
        names: { "#cl": "clusters", "#vc": "vcpus" },
        values: { ":none": { M: {} }, ":zero": N(0) },
      });
    }
    return { kind: "full", record: await this.record(user) };
  }

  async recordStack(
    user: UserId,
    cluster: ClusterName,
    token: string,
    stackId: string,
  ): Promise<boolean> {
    return this.update(user, {
      update: "SET #cl.#c.#id = :id",
      condition: "#cl.#c.#tok = :tok AND (attribute_not_exists(#cl.#c.#id) OR #cl.#c.#id = :id)",
      names: { "#cl": "clusters", "#c": cluster, "#id": "stackId", "#tok": "token" },
      values: { ":id": S(stackId), ":tok": S(token) },
    });
  }

  async release(
    user: UserId,
    cluster: string,
    match: SlotMatch,
    read?: ClusterSlot,
  ): Promise<boolean> {
    const slot = read ?? (await this.record(user)).clusters.get(cluster);
    if (slot === undefined || !slotMatches(slot, match)) return false;
    // Exactly the slot just read: taken at that moment by that request.
    return this.update(user, {
      update: "REMOVE #cl.#c SET #vc = #vc - :v",
      condition: "#cl.#c.#at = :at AND #cl.#c.#tok = :tok",
      names: {
        "#cl": "clusters",
        "#c": cluster,
        "#vc": "vcpus",
        "#at": "acquiredAt",
        "#tok": "token",
      },
      values: { ":v": N(slot.vcpus), ":at": N(slot.acquiredAt), ":tok": S(slot.token) },
    });
  }

  async markChecked(user: UserId, clusters: readonly string[], nowMs: number): Promise<void> {
    for (const cluster of clusters) {
      await this.update(user, {
        update: "SET #cl.#c.#ck = :now",
        condition: "attribute_exists(#cl.#c)",
        names: { "#cl": "clusters", "#c": cluster, "#ck": "checkedAt" },
        values: { ":now": N(nowMs) },
      });
    }
  }

  async allRecords(): Promise<Array<{ readonly user: string; readonly record: RegistryRecord }>> {
    const { client, sdk } = await this.dynamo();
    const records: Array<{ user: string; record: RegistryRecord }> = [];
    let start: Item | undefined;
    do {
      const page = await client.send(
        new sdk.ScanCommand({
          TableName: this.table,
          ConsistentRead: true,
          ProjectionExpression: "#u, #cl, #vc",
          ExpressionAttributeNames: { "#u": "user", "#cl": "clusters", "#vc": "vcpus" },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const user = item["user"]?.S;
        if (user !== undefined) records.push({ user, record: recordOfItem(item) });
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return records;
  }

  async markWarned(user: UserId, cluster: string, expiresAt: number): Promise<boolean> {
    return this.update(user, {
      update: "SET #cl.#c.#w = :e",
      condition:
        "attribute_exists(#cl.#c) AND (attribute_not_exists(#cl.#c.#w) OR #cl.#c.#w <> :e)",
      names: { "#cl": "clusters", "#c": cluster, "#w": "warnedFor" },
      values: { ":e": N(expiresAt) },
    });
  }

  async markEnding(user: UserId, cluster: string, reason: string): Promise<void> {
    await this.update(user, {
      update: "SET #cl.#c.#r = :r",
      condition: "attribute_exists(#cl.#c)",
      names: { "#cl": "clusters", "#c": cluster, "#r": "endReason" },
      values: { ":r": S(reason) },
    });
  }

  async extend(user: UserId, cluster: string, extension: Extension): Promise<boolean> {
    const fromHolds =
      extension.from === undefined ? "attribute_not_exists(#cl.#c.#e)" : "#cl.#c.#e = :from";
    return this.update(user, {
      update: "SET #cl.#c.#e = :to, #cl.#c.#by = :rid",
      condition: `#cl.#c.#tok = :tok AND ${fromHolds} AND (attribute_not_exists(#cl.#c.#by) OR #cl.#c.#by <> :rid)`,
      names: {
        "#cl": "clusters",
        "#c": cluster,
        "#e": "expiresAt",
        "#by": "extendedBy",
        "#tok": "token",
      },
      values: {
        ":to": N(extension.to),
        ":rid": S(extension.requestId),
        ":tok": S(extension.token),
        ...(extension.from === undefined ? {} : { ":from": N(extension.from) }),
      },
    });
  }

  async record(user: UserId): Promise<RegistryRecord> {
    const { client, sdk } = await this.dynamo();
    const got = await client.send(
      new sdk.GetItemCommand({
        TableName: this.table,
        Key: { user: S(user) },
        ConsistentRead: true,
      }),
    );
    return recordOfItem(got.Item);
  }
}
