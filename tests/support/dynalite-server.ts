import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import type { AddressInfo } from "node:net";

/*
 * A dynalite (a real local DynamoDB) on a free loopback port, and a client
 * for it: what the registry's and the ledger's contract suites run against,
 * and a LocalAws world's registry (its handlers reach it at `endpoint`).
 * Tables are created, deleted and updated at once.
 */

/** A running dynalite, its URL and a client; `stop` ends both. */
export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamo> {
  process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    region: "eu-west-2",
    endpoint,
    credentials: { accessKeyId: "a", secretAccessKey: "s" },
  });
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
