import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { QueryError, tag } from "../../query-protocol.js";
import type { AuthorizationRequest } from "./iam.js";
import { isoTime, send } from "./protocol.js";
import type { Instance, World } from "./world.js";

/*
 * S3's REST API, as far as the nodes use it (list, get, head, put), on the
 * fake's buckets; every call authorized under the caller's role first.
 */

/** The customizer a "customizer-fails" fault slips into one instance's view of the bucket. */
const FAULT_CUSTOMIZER = "99-rehearsal-fault.sh";

/** Authorizes and records a call, throwing AWS's denial (api.ts). */
export type Authorize = (call: {
  readonly instance: Instance;
  readonly service: string;
  readonly action: string;
  readonly request: AuthorizationRequest;
}) => Promise<void>;

export class S3 {
  constructor(
    private readonly world: World,
    private readonly authorize: Authorize,
  ) {}

  /** The objects `instance` sees: the bucket's, plus a failing customizer for a "customizer-fails" fault. */
  private objectsFor(instance: Instance, bucket: string): Map<string, Buffer> {
    const objects = new Map(this.world.objects.get(bucket) ?? []);
    if (instance.faults.customizerExit !== undefined) {
      for (const key of [...objects.keys()]) {
        const folder = /^(.*\/default\/configure\.d\/)[^/]+$/.exec(key)?.[1];
        if (folder !== undefined) {
          objects.set(
            `${folder}${FAULT_CUSTOMIZER}`,
            Buffer.from(
              `#!/bin/bash\necho "${FAULT_CUSTOMIZER}: failing on purpose (a rehearsal fault)" >&2\nexit ${instance.faults.customizerExit}\n`,
            ),
          );
        }
      }
    }
    return objects;
  }

  async serve(
    instance: Instance,
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
  ): Promise<void> {
    const url = new URL(request.url ?? "/", "https://x");
    const host = String(request.headers["host"] ?? "").split(":")[0] ?? "";
    const virtual = /^(.+)\.s3[.-]/.exec(host)?.[1];
    const path = decodeURIComponent(url.pathname).replace(/^\//, "");
    const bucket = virtual ?? path.split("/")[0] ?? "";
    const key = virtual !== undefined ? path : path.split("/").slice(1).join("/");
    if (!this.world.objects.has(bucket))
      throw new QueryError("NoSuchBucket", "The specified bucket does not exist", 404);
    if (key === "") return this.list(instance, bucket, url.searchParams, response);
    if (request.method === "PUT")
      return this.put(instance, { bucket, key }, request, body, response);
    return this.get(instance, { bucket, key }, request, response);
  }

  /** ListObjectsV2 of the bucket: its keys under `prefix`, rolled up at `delimiter`. */
  private async list(
    instance: Instance,
    bucket: string,
    query: URLSearchParams,
    response: ServerResponse,
  ): Promise<void> {
    const prefix = query.get("prefix") ?? "";
    const delimiter = query.get("delimiter") ?? "";
    const context: Record<string, string> = { "s3:prefix": prefix };
    if (delimiter !== "") context["s3:delimiter"] = delimiter;
    await this.authorize({
      instance,
      service: "s3",
      action: "ListObjectsV2",
      request: { action: "s3:ListBucket", resource: `arn:aws:s3:::${bucket}`, context },
    });
    const keys = [...this.objectsFor(instance, bucket).entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1));
    send(response, 200, listXml(bucket, prefix, delimiter, keys), "application/xml");
  }

  /** PutObject; the body stored as sent, or unwrapped when it came aws-chunked. */
  private async put(
    instance: Instance,
    { bucket, key }: ObjectAddress,
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
  ): Promise<void> {
    await this.authorize({
      instance,
      service: "s3",
      action: "PutObject",
      request: { action: "s3:PutObject", resource: `arn:aws:s3:::${bucket}/${key}` },
    });
    // boto3 may send the body aws-chunked (a streaming signature).
    const chunked = String(request.headers["x-amz-content-sha256"] ?? "").startsWith("STREAMING");
    const stored = chunked ? unchunked(body) : body;
    this.world.objects.get(bucket)?.set(key, stored);
    response.writeHead(200, { etag: `"${createHash("md5").update(stored).digest("hex")}"` });
    response.end();
  }

  /** GetObject, or HeadObject: the same headers without the body. */
  private async get(
    instance: Instance,
    { bucket, key }: ObjectAddress,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    await this.authorize({
      instance,
      service: "s3",
      action: request.method === "HEAD" ? "HeadObject" : "GetObject",
      request: { action: "s3:GetObject", resource: `arn:aws:s3:::${bucket}/${key}` },
    });
    const object = this.objectsFor(instance, bucket).get(key);
    if (object === undefined)
      throw new QueryError("NoSuchKey", `The specified key does not exist: ${key}`, 404);
    const headers = {
      etag: `"${createHash("md5").update(object).digest("hex")}"`,
      "last-modified": new Date().toUTCString(),
      "accept-ranges": "bytes",
    };
    if (request.method === "HEAD") {
      response.writeHead(200, {
        "content-length": object.length,
        "content-type": "application/octet-stream",
        ...headers,
      });
      response.end();
      return;
    }
    send(response, 200, object, "application/octet-stream", headers);
  }
}

/** An object's bucket and key. */
interface ObjectAddress {
  readonly bucket: string;
  readonly key: string;
}

/** The ListBucketResult for `keys` (sorted, under `prefix`): the objects, then the common prefixes. */
function listXml(
  bucket: string,
  prefix: string,
  delimiter: string,
  keys: ReadonlyArray<readonly [string, Buffer]>,
): string {
  const contents = keys.filter(
    ([k]) => delimiter === "" || !k.slice(prefix.length).includes(delimiter),
  );
  const prefixes = [
    ...new Set(
      keys
        .map(([k]) => k.slice(prefix.length))
        .filter((rest) => delimiter !== "" && rest.includes(delimiter))
        .map((rest) => prefix + rest.slice(0, rest.indexOf(delimiter) + 1)),
    ),
  ];
  return (
    `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
    tag("Name", bucket) +
    tag("Prefix", prefix) +
    tag("KeyCount", contents.length) +
    tag("MaxKeys", 1000) +
    (delimiter ? tag("Delimiter", delimiter) : "") +
    tag("IsTruncated", false) +
    contents
      .map(
        ([k, v]) =>
          `<Contents>${tag("Key", k)}${tag("LastModified", isoTime(Date.now()))}${tag("ETag", `"${createHash("md5").update(v).digest("hex")}"`)}${tag("Size", v.length)}${tag("StorageClass", "STANDARD")}</Contents>`,
      )
      .join("") +
    prefixes.map((p) => `<CommonPrefixes>${tag("Prefix", p)}</CommonPrefixes>`).join("") +
    `</ListBucketResult>`
  );
}

/** The payload of an aws-chunked body: `<hex size>[;chunk-signature=…]\r\n<data>\r\n`…, ending in a 0-size chunk. */
function unchunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf("\r\n", at);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(at, lineEnd).toString("latin1").split(";")[0] ?? "", 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
