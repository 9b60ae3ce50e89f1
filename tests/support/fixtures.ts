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
