import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  DynamoClusterRegistry,
  type ClusterRegistry,
} from "../../../../functions/shared/runtime/cluster-registry.js";
import { MemoryRegistry } from "../../../support/memory-registry.js";
import { registryContract } from "./registry-contract.js";

/*
 * One contract (registry-contract.ts), two registries: the DynamoDB one the
 * handlers run with, against dynalite (a real local DynamoDB), and the
 * in-memory one handler tests use.
 */

describe("the cluster registry contract, in DynamoDB (dynalite)", function () {
  this.timeout(20_000);
  let server: Server;
  let client: DynamoDBClient;
  let table = 0;
  let current: ClusterRegistry;

  before(async () => {
    process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
    server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client = new DynamoDBClient({
      region: "eu-west-2",
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: "a", secretAccessKey: "s" },
    });
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
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
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
