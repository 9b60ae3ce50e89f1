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

/**
 * A DynamoDB table whose client loads on first use, and once: the base of
 * both tables' adapters. `injected` replaces the client in tests.
 */
export abstract class LazyDynamoTable {
  private loading: Promise<LoadedDynamo> | undefined;

  constructor(
    protected readonly table: string,
    private readonly region: string,
    private readonly injected?: DynamoDBClient,
  ) {}

  /** The client and its commands, loaded by the first call. */
  protected dynamo(): Promise<LoadedDynamo> {
    this.loading ??= import("./dynamodb-client.js").then((sdk) => ({
      sdk,
      client:
        this.injected ?? new sdk.DynamoDBClient({ region: this.region, ...SDK_CLIENT_DEFAULTS }),
    }));
    return this.loading;
  }
}

/** Whether `error` is DynamoDB's answer to a condition that did not hold. */
export const isConditionFailure = (error: unknown): boolean =>
  (error as { name?: string }).name === "ConditionalCheckFailedException";
