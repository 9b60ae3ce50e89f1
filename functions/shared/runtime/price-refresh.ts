import { isoTime } from "../cluster-lifetime.js";
import { parsePriceBook, PRICE_BOOK_KEY, type PriceBook } from "../price-book.js";
import { gp3Filters, gp3Price, instanceFilters, onDemandPrices } from "../price-list.js";
import { spotPriceHistory } from "./ec2-records.js";
import { jsonCall, type AwsAccess } from "./signed-call.js";
import type { UserHome } from "./user-home.js";

/*
 * The price book's refresh and its place in the users' bucket. On-demand
 * prices come from the Price List API (`pricing:GetProducts`, in a region
 * that serves it: us-east-1 unless set), spot prices from EC2's spot price
 * history at this moment (`ec2:DescribeSpotPriceHistory`), every type and
 * zone of the deployment's region; gp3 storage from the Price List too.
 */

/** The most a published price book is read of (it holds every type of a region: ~100 KB). */
const MAX_BOOK_BYTES = 2_000_000;

/** Every `PriceList` entry `GetProducts` gives for these filters, page by page. */
async function products(
  access: AwsAccess,
  pricingRegion: string,
  filters: ReadonlyArray<{ Type: string; Field: string; Value: string }>,
): Promise<string[]> {
  const entries: string[] = [];
  let token: string | undefined;
  do {
    const page = (await jsonCall(
      access,
      "pricing",
      pricingRegion,
      "AWSPriceListService.GetProducts",
      {
        ServiceCode: "AmazonEC2",
        Filters: filters,
        FormatVersion: "aws_v1",
        MaxResults: 100,
        ...(token === undefined ? {} : { NextToken: token }),
      },
    )) as { PriceList?: unknown; NextToken?: unknown };
    if (Array.isArray(page.PriceList))
      entries.push(...page.PriceList.filter((e): e is string => typeof e === "string"));
    token =
      typeof page.NextToken === "string" && page.NextToken !== "" ? page.NextToken : undefined;
  } while (token !== undefined);
  return entries;
}

/** Asks AWS for the region's prices now. */
export async function fetchPriceBook(
  access: AwsAccess,
  pricingRegion: string,
  nowMs: number,
): Promise<PriceBook> {
  const region = access.region;
  const [instances, storage, spot] = await Promise.all([
    products(access, pricingRegion, instanceFilters(region)),
    products(access, pricingRegion, gp3Filters(region)),
    spotPriceHistory(access, { types: [], zones: [], start: nowMs, end: nowMs }),
  ]);
  const spotPrices: Record<string, Record<string, number>> = {};
  const latest = new Map<string, number>();
  for (const quote of spot) {
    const key = `${quote.type} ${quote.zone}`;
    if ((latest.get(key) ?? -Infinity) > quote.at) continue;
    latest.set(key, quote.at);
    const zones = Object.hasOwn(spotPrices, quote.type) ? spotPrices[quote.type]! : {};
    zones[quote.zone] = quote.usd;
    Object.defineProperty(spotPrices, quote.type, {
      value: zones,
      enumerable: true,
      writable: true,
    });
  }
  const gp3 = gp3Price(storage);
  return {
    flightdeck: "prices",
    region,
    fetchedAt: isoTime(nowMs),
    onDemand: onDemandPrices(instances),
    spot: spotPrices,
    ...(gp3 === undefined ? {} : { gp3PerGiBMonth: gp3 }),
  };
}

/** The published price book, or `undefined` when there is none yet (or it is unreadable). */
export async function readPriceBook(home: UserHome): Promise<PriceBook | undefined> {
  const read = await home.readTrigger(PRICE_BOOK_KEY, undefined, MAX_BOOK_BYTES);
  return read.kind === "read" ? parsePriceBook(new TextDecoder().decode(read.bytes)) : undefined;
}

/** Publishes a price book where the Lambdas and every user's CLI read it. */
export async function publishPriceBook(home: UserHome, book: PriceBook): Promise<void> {
  await home.write({
    key: PRICE_BOOK_KEY,
    body: `${JSON.stringify(book)}\n`,
    contentType: "application/json",
  });
}
