import type { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import type { S3EventRecord } from "../../functions/shared/s3-event.js";
import { S3FaultProxy } from "./s3-fault-proxy.js";

/*
 * S3 on loopback for a LocalAws world: s3rver (the real protocol) with the
 * users' bucket and the customizer bucket, in a temporary folder, behind the
 * fault proxy the handlers reach it through. s3rver reports each write as an
 * S3 event record, which the world turns into the deployment's
 * notifications (s3-notifications.ts).
 */

export const USER_BUCKET = "fd-users";
export const CUSTOMIZER_BUCKET = "fd-customizer";

/** A running s3rver: its own URL, the fault proxy in front of it, and how to stop both. */
export interface LocalS3 {
  readonly endpoint: string;
  readonly faults: S3FaultProxy;
  stop(): Promise<void>;
}

/**
 * Stops s3rver removing a folder when its last object is deleted. S3 has no
 * folders; s3rver stores keys as files and, after a delete, removes the
 * folders left empty, which races with a concurrent upload into the same
 * folder (its file is written into a folder just removed: a 500
 * InternalError, again on every retry under load). A flood of uploads into
 * one sub-folder, which the handlers refuse and remove, hit it. Deleting
 * only the object's files leaves empty folders, which list as nothing.
 */
function keepFolders(server: S3rver): void {
  type Store = { getResourcePath(bucket: string, key: string, kind: string): string };
  const store = (server as unknown as { store: Store & Record<string, unknown> }).store;
  store["deleteObject"] = async (bucket: string, key: string) => {
    await Promise.all(
      ["object", "object.md5", "metadata.json"].map((kind) =>
        unlink(store.getResourcePath(bucket, key, kind)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== "ENOENT") throw error;
        }),
      ),
    );
  };
}

/** Starts s3rver with both buckets, and the fault proxy; `onRecords` gets each write's S3 event records. */
export async function startLocalS3(
  onRecords: (records: readonly S3EventRecord[]) => void,
): Promise<LocalS3> {
  const directory = mkdtempSync(path.join(tmpdir(), "fd-s3rver-"));
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [
      { name: USER_BUCKET, configs: [] },
      { name: CUSTOMIZER_BUCKET, configs: [] },
    ],
  });
  keepFolders(server);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const faults = new S3FaultProxy(endpoint);
  await faults.start();
  // s3rver is a Koa app, so an EventEmitter, though its types do not say so.
  (server as unknown as EventEmitter).on("event", (event: { Records: S3EventRecord[] }) =>
    onRecords(event.Records),
  );
  return {
    endpoint,
    faults,
    async stop() {
      await faults.stop();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
