import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Absolute path of a file under `tests/fixtures/`. */
export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));
}

/** The raw bytes of a fixture, as a handler would read them from S3. */
export function fixtureBytes(relative: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(relative)));
}

/** A parsed JSON fixture. */
export function fixtureJson(relative: string): unknown {
  return JSON.parse(readFileSync(fixturePath(relative), "utf8"));
}

/**
 * The files of alice's cluster c1 an outcome clears, written out by hand:
 * every request and result file of an earlier state, and never the outcome's own.
 */
export const STALE_AFTER = {
  created: [
    "home/alice/c1.cf-create",
    "home/alice/c1.cf-failed",
    "home/alice/c1.cf-deleted",
    "home/alice/c1.cf-extend",
    "home/alice/c1.cf-extended",
    "home/alice/c1.cf-expiring",
  ],
  deleted: [
    "home/alice/c1.cf-delete",
    "home/alice/c1.cf-created",
    "home/alice/c1.cf-failed",
    "home/alice/c1.cf-extend",
    "home/alice/c1.cf-extended",
    "home/alice/c1.cf-expiring",
  ],
} as const;
