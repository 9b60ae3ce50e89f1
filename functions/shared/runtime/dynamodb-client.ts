/*
 * The DynamoDB client and the commands the registry and the usage ledger send, and nothing
 * else: the registry loads this module lazily, and a dynamic import of the
 * SDK package itself would keep every export (all of DynamoDB's commands),
 * since a bundler cannot tell which ones a namespace object will be asked for.
 */
export {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
