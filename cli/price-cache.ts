import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { parsePriceBook, PRICE_BOOK_KEY, type PriceBook } from "../functions/shared/price-book.js";
import type { UserBucket } from "./user-bucket.js";

/*
 * The last price book this `flightdeck` saw. FlightDeck publishes it in the
 * users' bucket (`flightdeck/prices.json`, which every user may read); the
 * commands that talk to the bucket (create, status, list) fetch it and keep
 * it here, so `validate` and `render`, which work offline, price a cluster
 * with it and say how old it is. FLIGHTDECK_PRICES names another file.
 */

type Env = Readonly<Record<string, string | undefined>>;

/** Where the book is kept: FLIGHTDECK_PRICES, else `$XDG_CACHE_HOME/flightdeck/prices.json`. */
function priceCachePath(env: Env): string {
  const named = env["FLIGHTDECK_PRICES"];
  if (named !== undefined && named !== "") return named;
  const cache = env["XDG_CACHE_HOME"] || path.join(env["HOME"] || homedir(), ".cache");
  return path.join(cache, "flightdeck", "prices.json");
}

/** The kept book, or `undefined` when there is none (or it is not a price book). */
export async function cachedPrices(env: Env): Promise<PriceBook | undefined> {
  try {
    return parsePriceBook(await readFile(priceCachePath(env), "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * Fetches the published book and keeps it; the kept one when the bucket has
 * none or cannot be read (prices never stop a command).
 */
export async function refreshPrices(bucket: UserBucket, env: Env): Promise<PriceBook | undefined> {
  const published = await bucket
    .read(PRICE_BOOK_KEY)
    .then((text) => (text === undefined ? undefined : parsePriceBook(text)))
    .catch(() => undefined);
  if (published === undefined) return cachedPrices(env);
  const file = priceCachePath(env);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, `${JSON.stringify(published)}\n`);
    await rename(partial, file);
  } catch {
    // A cache that cannot be written costs only the offline commands' prices.
  }
  return published;
}
