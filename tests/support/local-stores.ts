import {
  CreateTableCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { USER_BUCKET } from "./local-s3.js";

/*
 * What a LocalAws world stores, read and written as its tests do: objects in
 * s3rver's buckets (a put, a user's home, an object's metadata, every key of
 * the users' bucket) and the cluster registry's table on dynalite (created
 * as the deployment creates it, an item read or staged); and both emptied
 * for a property test's next run.
 */

export const REGISTRY_TABLE = "fd-test-clusters";

/** The registry's table, keyed as the deployment's is. */
export async function createRegistryTable(registry: DynamoDBClient): Promise<void> {
  await registry.send(
    new CreateTableCommand({
      TableName: REGISTRY_TABLE,
      AttributeDefinitions: [{ AttributeName: "user", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "user", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
}

/** The registry's item for `user`, as DynamoDB holds it, or `undefined`. */
export async function registryItem(
  registry: DynamoDBClient,
  user: string,
): Promise<Record<string, AttributeValue> | undefined> {
  const got = await registry.send(
    new GetItemCommand({
      TableName: REGISTRY_TABLE,
      Key: { user: { S: user } },
      ConsistentRead: true,
    }),
  );
  return got.Item;
}

/** Replaces the registry's item for a user. */
export async function putRegistryItem(
  registry: DynamoDBClient,
  item: Record<string, AttributeValue>,
): Promise<void> {
  await registry.send(new PutItemCommand({ TableName: REGISTRY_TABLE, Item: item }));
}

/** Deletes every item of the registry. */
export async function emptyRegistry(registry: DynamoDBClient): Promise<void> {
  const items = await registry.send(new ScanCommand({ TableName: REGISTRY_TABLE }));
  for (const item of items.Items ?? [])
    await registry.send(
      new DeleteItemCommand({
        TableName: REGISTRY_TABLE,
        Key: { user: item["user"] ?? { S: "" } },
      }),
    );
}

export async function putObject(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string,
): Promise<void> {
  // The length named, or the SDK warns about an empty body as about a stream of unknown length.
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentLength: Buffer.byteLength(body),
    }),
  );
}

/** The current files in a user's home: name → body. */
export async function homeFiles(s3: S3Client, user: string): Promise<Record<string, string>> {
  const prefix = `home/${user}/`;
  const listing = await s3.send(new ListObjectsV2Command({ Bucket: USER_BUCKET, Prefix: prefix }));
  const files: Record<string, string> = {};
  for (const object of listing.Contents ?? []) {
    const got = await s3.send(new GetObjectCommand({ Bucket: USER_BUCKET, Key: object.Key }));
    files[(object.Key ?? "").slice(prefix.length)] = (await got.Body?.transformToString()) ?? "";
  }
  return files;
}

/** An object's S3 user metadata (`x-amz-meta-*`, names lowercased). */
export async function objectMetadata(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<Record<string, string>> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return head.Metadata ?? {};
}

/** Every key in the users' bucket, sorted. */
export async function userBucketKeys(s3: S3Client): Promise<string[]> {
  const listing = await s3.send(new ListObjectsV2Command({ Bucket: USER_BUCKET }));
  return (listing.Contents ?? []).map((o) => o.Key ?? "").sort();
}

/** Deletes every object of the users' bucket. */
export async function emptyUserBucket(s3: S3Client): Promise<void> {
  // ListObjects (V1): s3rver makes V2's continuation tokens with DES, which OpenSSL 3 lacks.
  const listing = await s3.send(new ListObjectsCommand({ Bucket: USER_BUCKET }));
  for (const object of listing.Contents ?? [])
    await s3.send(new DeleteObjectCommand({ Bucket: USER_BUCKET, Key: object.Key }));
  if (listing.IsTruncated === true) await emptyUserBucket(s3);
}
