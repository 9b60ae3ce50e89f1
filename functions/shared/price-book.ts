import { isRight, type Either } from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { HOURS_PER_MONTH, parseIsoTime } from "./money.js";
import { decodeReadably } from "./readable-errors.js";

/*
 * The price book: what an hour of each instance type costs in the
 * deployment's region, on-demand (the AWS Price List API) and on the spot
 * market (EC2's spot price history, per zone), and what a GiB-month of the
 * clusters' gp3 disks costs. cf-delete refreshes it on its schedule and
 * publishes it in the users' bucket (`flightdeck/prices.json`), where both
 * Lambdas and every user's `flightdeck` read it; the CLI keeps the last one
 * it saw for `validate` and `render`, which work offline.
 */

/** Where the price book is published in the users' bucket (outside every home). */
export const PRICE_BOOK_KEY = "flightdeck/prices.json";

/** How old a price book may grow before the schedule refreshes it. */
export const PRICE_REFRESH_HOURS = 6;

const Price = new t.Type<number, number, unknown>(
  "Price",
  (u): u is number => typeof u === "number" && Number.isFinite(u) && u >= 0,
  (u, c) =>
    typeof u === "number" && Number.isFinite(u) && u >= 0
      ? t.success(u)
      : t.failure(u, c, "must be a price in USD, at least 0"),
  (a) => a,
);

export const PriceBookCodec = t.intersection([
  t.type({
    flightdeck: t.literal("prices"),
    region: t.string,
    /** When AWS was asked (ISO 8601). */
    fetchedAt: t.string,
    /** USD per hour of a Linux, shared-tenancy instance, by type. */
    onDemand: t.record(t.string, Price),
    /** USD per hour on the spot market, by type then zone, as of `fetchedAt`. */
    spot: t.record(t.string, t.record(t.string, Price)),
  }),
  t.partial({
    /** USD per GiB-month of gp3 storage (the clusters' disks). */
    gp3PerGiBMonth: Price,
  }),
]);
export type PriceBook = t.TypeOf<typeof PriceBookCodec>;

/** Reads a published price book; the problems when it is not one. */
function decodePriceBook(json: unknown): Either<string[], PriceBook> {
  return decodeReadably(PriceBookCodec, json);
}

/** Parses a price book's text; `undefined` when it is not one. */
export function parsePriceBook(text: string): PriceBook | undefined {
  try {
    const decoded = decodePriceBook(JSON.parse(text));
    return isRight(decoded) ? decoded.right : undefined;
  } catch {
    return undefined;
  }
}

/** When the book was fetched, in ms since the epoch; NaN when its date is unreadable. */
function fetchedAtMs(book: PriceBook): number {
  return parseIsoTime(book.fetchedAt);
}

/** Whether the book is due for a refresh at `nowMs`. */
export function isStale(book: PriceBook | undefined, nowMs: number): boolean {
  if (book === undefined) return true;
  const at = fetchedAtMs(book);
  return !(nowMs - at < PRICE_REFRESH_HOURS * 3_600_000);
}

/** How old the book is, in words: "3 hours old", "2 days old". */
export function ageText(book: PriceBook, nowMs: number): string {
  const hours = Math.max(0, Math.floor((nowMs - fetchedAtMs(book)) / 3_600_000));
  if (Number.isNaN(hours)) return "of unknown age";
  if (hours < 1) return "under an hour old";
  if (hours < 48) return `${hours} hour${hours === 1 ? "" : "s"} old`;
  return `${Math.floor(hours / 24)} days old`;
}

/** The on-demand hourly price of a type, if the book has it. */
export function onDemandPrice(book: PriceBook | undefined, type: string): number | undefined {
  return book !== undefined && Object.hasOwn(book.onDemand, type) ? book.onDemand[type] : undefined;
}

/** The spot price of a type in a zone as of the book's date, if the book has it. */
export function spotPriceIn(
  book: PriceBook | undefined,
  type: string,
  zone: string,
): number | undefined {
  if (book === undefined || !Object.hasOwn(book.spot, type)) return undefined;
  const zones = book.spot[type] ?? {};
  return Object.hasOwn(zones, zone) ? zones[zone] : undefined;
}

/** USD per GiB-hour of the clusters' disks (0 when the book does not say). */
export function diskPricePerGiBHour(book: PriceBook | undefined): number {
  return (book?.gp3PerGiBMonth ?? 0) / HOURS_PER_MONTH;
}
