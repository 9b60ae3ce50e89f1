import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { RegistryRecord } from "../cluster-registry.js";
import type { UserId } from "../identifiers.js";
import { isConditionFailure, LazyDynamoTable } from "./lazy-dynamo.js";
import { recordOfItem, S, type Item } from "./registry-item.js";

/*
 * The registry's table: the only DynamoDB calls the registry makes. Its
 * items change only by single-item conditional UpdateItems, so however many
 * invocations race, each write's condition holds for exactly one state of
 * the user's item. (No transactions: one item per user needs none.)
 */

/** One UpdateItem: its update and condition expressions, with their names and values. */
export interface ConditionalUpdate {
  readonly update: string;
  readonly condition?: string;
  readonly names: Record<string, string>;
  readonly values?: Record<string, AttributeValue>;
}

/**
 * The registry's table. The client loads on first use, so a status event
 * that needs no registry does not pay for it at cold start.
 */
export class RegistryTable extends LazyDynamoTable {
  /** One conditional UpdateItem of the user's item; `false` when its condition did not hold. */
  async update(user: UserId, expression: ConditionalUpdate): Promise<boolean> {
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

  /** The user's record, read consistently; empty when they have no item. */
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

  /** Every item's user (as stored) and record: a consistent Scan, page by page. */
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
}
