import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoClusterRegistry,
  type ClusterRegistry,
} from "../../../../functions/shared/runtime/cluster-registry.js";
import { MemoryRegistry } from "../../../support/memory-registry.js";
import { startDynalite, type LocalDynamo } from "../../../support/dynalite-server.js";
import { registryContract } from "./registry-contract.js";

/*
 * One contract (registry-contract.ts), two registries: the DynamoDB one the
 * handlers run with, against dynalite (a real local DynamoDB), and the
 * in-memory one handler tests use.
 */

describe("the cluster registry contract, in DynamoDB (dynalite)", function () {
  this.timeout(20_000);
  let dynamo: LocalDynamo;
  let client: DynamoDBClient;
  let table = 0;
  let current: ClusterRegistry;

  before(async () => {
    dynamo = await startDynalite();
    client = dynamo.client;
  });
  beforeEach(async () => {
    table += 1;
    await client.send(
      new CreateTableCommand({
        TableName: `clusters-${table}`,
        AttributeDefinitions: [{ AttributeName: "user", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "user", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    current = new DynamoClusterRegistry(`clusters-${table}`, "eu-west-2", client);
  });
  after(async () => {
    await dynamo.stop();
  });
  registryContract(() => current);
});

describe("the cluster registry contract, in memory (tests/support/memory-registry.ts)", () => {
  let current: ClusterRegistry;
  beforeEach(() => {
    current = new MemoryRegistry();
  });
  registryContract(() => current);
});
