import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SDK_CLIENT_DEFAULTS } from "./aws-clients.js";
import type * as DynamoCommands from "./dynamodb-client.js";

/*
 * The DynamoDB client both tables (the cluster registry and the usage
 * ledger) use, loaded on first use: an event that needs neither does not
 * pay for the client at cold start.
 */

/** The DynamoDB client module: the client and the commands the tables send. */
export type Dynamo = typeof DynamoCommands;

/** The loaded client and its commands. */
export interface LoadedDynamo {
  readonly client: DynamoDBClient;
  readonly sdk: Dynamo;
}

/** A loader of the client for `region` (or `injected`, in tests), loading it once. */
export function lazyDynamo(region: string, injected?: DynamoDBClient): () => Promise<LoadedDynamo> {
  let loading: Promise<LoadedDynamo> | undefined;
  return () => {
    loading ??= import("./dynamodb-client.js").then((sdk) => ({
      sdk,
      client: injected ?? new sdk.DynamoDBClient({ region, ...SDK_CLIENT_DEFAULTS }),
    }));
    return loading;
  };
}

/** Whether `error` is DynamoDB's answer to a condition that did not hold. */
export const isConditionFailure = (error: unknown): boolean =>
  (error as { name?: string }).name === "ConditionalCheckFailedException";
