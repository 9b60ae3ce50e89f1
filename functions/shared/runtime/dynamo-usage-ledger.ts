import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { Month } from "../money.js";
import { decodeInstances, decodeMonthly, encodeInstances } from "../usage-record.js";
import { isConditionFailure, LazyDynamoTable } from "./lazy-dynamo.js";
import {
  DEPLOYMENT_OWNER,
  type ClusterUsage,
  type MonthUsage,
  type UsageLedger,
} from "./usage-ledger.js";

/*
 * The usage ledger (usage-ledger.ts) over its DynamoDB table: keys `pk`
 * (a user, or `#deployment`) and `sk` (`cluster#<stack id>` or
 * `month#<YYYY-MM>`); a cluster's instances and spend per month as JSON
 * text, a month's clusters and users as maps, changed one entry at a time.
 */

type Item = Record<string, AttributeValue>;
const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const num = (value: AttributeValue | undefined) =>
  value?.N === undefined ? undefined : Number(value.N);

const clusterKey = (user: string, stackId: string) => ({
  pk: S(user),
  sk: S(`cluster#${stackId}`),
});
const monthKey = (owner: string, month: Month) => ({ pk: S(owner), sk: S(`month#${month}`) });

function clusterOfItem(item: Item): ClusterUsage {
  return {
    user: item["pk"]?.S ?? "",
    cluster: item["cluster"]?.S ?? "",
    stackId: item["stackId"]?.S ?? "",
    createdAt: num(item["createdAt"]) ?? 0,
    maxPerHour: num(item["maxPerHour"]),
    instances: decodeInstances(item["instances"]?.S),
    spend: decodeMonthly(item["spend"]?.S),
    through: num(item["through"]) ?? 0,
    final: item["final"]?.BOOL === true,
    version: num(item["version"]) ?? 0,
  };
}

function monthOfItem(owner: string, month: Month, item: Item | undefined): MonthUsage {
  const clusters: Record<string, { cluster: string; usd: number }> = {};
  for (const [stackId, value] of Object.entries(item?.["clusters"]?.M ?? {})) {
    const usd = num(value.M?.["usd"]);
    if (usd !== undefined) clusters[stackId] = { cluster: value.M?.["cluster"]?.S ?? "", usd };
  }
  const users: Record<string, number> = {};
  for (const [user, value] of Object.entries(item?.["users"]?.M ?? {})) {
    const usd = num(value);
    if (usd !== undefined) users[user] = usd;
  }
  return {
    owner,
    month,
    clusters,
    users,
    warnedFor: num(item?.["warnedFor"]),
    stopAt: num(item?.["stopAt"]),
  };
}

const isBadPath = (error: unknown) => (error as { name?: string }).name === "ValidationException";

/** The ledger over its DynamoDB table; the client loads on first use. */
export class DynamoUsageLedger extends LazyDynamoTable implements UsageLedger {
  private async update(
    key: Item,
    update: string,
    names: Record<string, string>,
    values?: Item,
    condition?: string,
  ): Promise<boolean> {
    const { client, sdk } = await this.dynamo();
    try {
      await client.send(
        new sdk.UpdateItemCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async cluster(user: string, stackId: string): Promise<ClusterUsage | undefined> {
    const { client, sdk } = await this.dynamo();
    const got = await client.send(
      new sdk.GetItemCommand({
        TableName: this.table,
        Key: clusterKey(user, stackId),
        ConsistentRead: true,
      }),
    );
    return got.Item === undefined ? undefined : clusterOfItem(got.Item);
  }

  async openCluster(
    entry: Pick<ClusterUsage, "user" | "cluster" | "stackId" | "createdAt" | "maxPerHour">,
  ): Promise<void> {
    await this.update(
      clusterKey(entry.user, entry.stackId),
      "SET #c = :c, #s = :s, #at = :at, #v = :zero, #f = :no" +
        (entry.maxPerHour === undefined ? "" : ", #max = :max"),
      {
        "#c": "cluster",
        "#s": "stackId",
        "#at": "createdAt",
        "#v": "version",
        "#f": "final",
        ...(entry.maxPerHour === undefined ? {} : { "#max": "maxPerHour" }),
      },
      {
        ":c": S(entry.cluster),
        ":s": S(entry.stackId),
        ":at": N(entry.createdAt),
        ":zero": N(0),
        ":no": { BOOL: false },
        ...(entry.maxPerHour === undefined ? {} : { ":max": N(entry.maxPerHour) }),
      },
      "attribute_not_exists(#v)",
    );
  }

  async saveCluster(entry: ClusterUsage): Promise<boolean> {
    const { client, sdk } = await this.dynamo();
    const item: Item = {
      ...clusterKey(entry.user, entry.stackId),
      cluster: S(entry.cluster),
      stackId: S(entry.stackId),
      createdAt: N(entry.createdAt),
      instances: S(encodeInstances(entry.instances)),
      spend: S(JSON.stringify(entry.spend)),
      through: N(entry.through),
      final: { BOOL: entry.final },
      version: N(entry.version + 1),
      ...(entry.maxPerHour === undefined ? {} : { maxPerHour: N(entry.maxPerHour) }),
    };
    try {
      await client.send(
        new sdk.PutItemCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression:
            entry.version === 0
              ? "attribute_not_exists(#v) OR (#v = :v AND #f <> :yes)"
              : "#v = :v AND #f <> :yes",
          ExpressionAttributeNames: { "#v": "version", "#f": "final" },
          ExpressionAttributeValues: { ":v": N(entry.version), ":yes": { BOOL: true } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async month(owner: string, month: Month): Promise<MonthUsage> {
    const { client, sdk } = await this.dynamo();
    const got = await client.send(
      new sdk.GetItemCommand({
        TableName: this.table,
        Key: monthKey(owner, month),
        ConsistentRead: true,
      }),
    );
    return monthOfItem(owner, month, got.Item);
  }

  async monthsOf(month: Month): Promise<MonthUsage[]> {
    const { client, sdk } = await this.dynamo();
    const months: MonthUsage[] = [];
    let start: Item | undefined;
    do {
      const page = await client.send(
        new sdk.ScanCommand({
          TableName: this.table,
          FilterExpression: "#sk = :sk",
          ExpressionAttributeNames: { "#sk": "sk" },
          ExpressionAttributeValues: { ":sk": S(`month#${month}`) },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const owner = item["pk"]?.S;
        if (owner !== undefined) months.push(monthOfItem(owner, month, item));
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return months;
  }

  /** Sets one entry of a month's map, creating the map (and the month) first if need be. */
  private async setEntry(
    owner: string,
    month: Month,
    map: string,
    entry: string,
    value: AttributeValue,
  ) {
    const key = monthKey(owner, month);
    const set = () =>
      this.update(key, "SET #m.#e = :v", { "#m": map, "#e": entry }, { ":v": value });
    try {
      await set();
    } catch (error) {
      if (!isBadPath(error)) throw error;
      await this.update(
        key,
        "SET #m = if_not_exists(#m, :empty)",
        { "#m": map },
        { ":empty": { M: {} } },
      );
      await set();
    }
  }

  async setClusterSpend(user: string, month: Month, stackId: string, cluster: string, usd: number) {
    await this.setEntry(user, month, "clusters", stackId, {
      M: { cluster: S(cluster), usd: N(usd) },
    });
  }

  async setUserSpend(month: Month, user: string, usd: number): Promise<void> {
    await this.setEntry(DEPLOYMENT_OWNER, month, "users", user, N(usd));
  }

  markWarned(owner: string, month: Month, budget: number): Promise<boolean> {
    return this.update(
      monthKey(owner, month),
      "SET #w = :b",
      { "#w": "warnedFor" },
      { ":b": N(budget) },
      "attribute_not_exists(#w) OR #w <> :b",
    );
  }

  markStop(owner: string, month: Month, stopAt: number): Promise<boolean> {
    return this.update(
      monthKey(owner, month),
      "SET #s = :s",
      { "#s": "stopAt" },
      { ":s": N(stopAt) },
      "attribute_not_exists(#s)",
    );
  }

  async liftStop(owner: string, month: Month): Promise<void> {
    await this.update(monthKey(owner, month), "REMOVE #s", { "#s": "stopAt" });
  }
}
