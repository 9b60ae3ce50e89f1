import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { MAX_CONFIG_BYTES } from "../cluster-config.js";
import type { ResultFile } from "../result-files.js";

/** What reading a trigger file found. */
export type TriggerRead =
  | { readonly kind: "read"; readonly bytes: Uint8Array }
  | { readonly kind: "missing" }
  | { readonly kind: "too-large"; readonly bytes: number }
  /** Stored where a read cannot reach (an archive storage class, a customer-provided key). */
  | { readonly kind: "unreadable" };

/**
 * S3's refusals to read an object as it was stored: archived (GLACIER,
 * DEEP_ARCHIVE) or encrypted with a key the reader must send (SSE-C). No
 * retry can read it, so they are the user's to fix, not faults. The bucket
 * policy refuses such trigger uploads; this answers any that slip past.
 */
const UNREADABLE = new Set(["InvalidObjectState", "InvalidRequest"]);

/** What a user is told of a trigger file no read can reach. */
export function unreadableTriggerReason(fileName: string): string {
  return `FlightDeck cannot read ${fileName}: it was stored in an archive storage class or with your own encryption key. Upload it again as a plain file (S3 Standard, no customer key).`;
}

/**
 * The users' bucket, as the handlers use it: read a trigger file, write a
 * result file, remove stale ones. Writes are plain overwrites and deletes of
 * absent keys succeed, so repeating any of them is harmless.
 */
export class UserHome {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  /**
   * Reads a trigger file, refusing anything over `maxBytes` (the config size
   * limit unless said) without downloading it. A version id pins the exact upload the event
   * was about; without one the current object is read.
   */
  async readTrigger(
    key: string,
    versionId?: string,
    maxBytes: number = MAX_CONFIG_BYTES,
  ): Promise<TriggerRead> {
    try {
      const object = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }),
      );
      const declared = object.ContentLength ?? 0;
      if (declared > maxBytes) {
        object.Body?.transformToWebStream()
          .cancel()
          .catch(() => undefined);
        return { kind: "too-large", bytes: declared };
      }
      const bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
      return bytes.byteLength > maxBytes
        ? { kind: "too-large", bytes: bytes.byteLength }
        : { kind: "read", bytes };
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (error instanceof NoSuchKey || name === "NoSuchKey" || name === "NoSuchVersion") {
        return { kind: "missing" };
      }
      if (name !== undefined && UNREADABLE.has(name)) return { kind: "unreadable" };
      throw error;
    }
  }

  /** Writes a result file. A failure here is thrown: the event must be retried. */
  async write(file: ResultFile): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: file.key,
        Body: file.body,
        ContentType: file.contentType,
        ...(file.metadata === undefined ? {} : { Metadata: { ...file.metadata } }),
      }),
    );
  }

  /**
   * Removes files; with versioning on, each becomes a recoverable delete
   * marker. Several go in one DeleteObjects request (the same s3:DeleteObject
   * permission per key) rather than a round trip each; a key S3 could not
   * delete is thrown, as a failed single delete is, so the event is retried.
   */
  async remove(keys: readonly string[]): Promise<void> {
    const [only] = keys;
    if (keys.length <= 1) {
      if (only !== undefined)
        await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: only }));
      return;
    }
    const result = await this.s3.send(
      new DeleteObjectsCommand({
        Bucket: this.bucket,
        Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    const failed = result.Errors ?? [];
    if (failed.length > 0) {
      throw new Error(
        `S3 did not delete ${failed.map((e) => `${e.Key ?? "?"} (${e.Code ?? "?"}: ${e.Message ?? ""})`).join(", ")}`,
      );
    }
  }
}
