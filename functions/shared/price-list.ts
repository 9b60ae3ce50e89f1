/*
 * Reading the AWS Price List API's answers. `GetProducts` returns each
 * product as a JSON string ("aws_v1" format): the product's attributes
 * (instanceType, regionCode, operatingSystem, …, or volumeApiName for disks)
 * and its terms; an on-demand price is the USD `pricePerUnit` of the
 * product's OnDemand term's price dimension. Pure: the shell asks, this reads.
 */

/** One product's on-demand price, as the Price List says it. */
export interface ProductPrice {
  readonly attributes: Readonly<Record<string, string>>;
  /** USD per unit. */
  readonly usd: number;
  /** `Hrs` for an instance, `GB-Mo` for storage. */
  readonly unit: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The first record-valued property of a record (terms and dimensions are keyed by SKU codes). */
const firstRecord = (value: unknown): Record<string, unknown> | undefined =>
  isRecord(value) ? Object.values(value).find(isRecord) : undefined;

/**
 * One `PriceList` entry's on-demand price; `undefined` when it has none (a
 * reserved-only product) or is not the Price List's shape.
 */
export function productPrice(entry: string): ProductPrice | undefined {
  let json: unknown;
  try {
    json = JSON.parse(entry);
  } catch {
    return undefined;
  }
  if (!isRecord(json) || !isRecord(json["product"]) || !isRecord(json["terms"])) return undefined;
  const attributes = json["product"]["attributes"];
  const dimension = firstRecord(firstRecord(json["terms"]["OnDemand"])?.["priceDimensions"]);
  const price = isRecord(dimension?.["pricePerUnit"])
    ? dimension["pricePerUnit"]["USD"]
    : undefined;
  const usd = Number(price);
  if (!isRecord(attributes) || typeof price !== "string" || !Number.isFinite(usd)) return undefined;
  return {
    attributes: Object.fromEntries(
      Object.entries(attributes).filter((e): e is [string, string] => typeof e[1] === "string"),
    ),
    usd,
    unit: typeof dimension?.["unit"] === "string" ? dimension["unit"] : "",
  };
}

/** The Price List filters for Linux instances with shared tenancy and nothing preinstalled in a region. */
export function instanceFilters(
  region: string,
): Array<{ Type: "TERM_MATCH"; Field: string; Value: string }> {
  return [
    ["regionCode", region],
    ["operatingSystem", "Linux"],
    ["tenancy", "Shared"],
    ["preInstalledSw", "NA"],
    ["capacitystatus", "Used"],
    ["licenseModel", "No License required"],
  ].map(([Field, Value]) => ({ Type: "TERM_MATCH" as const, Field: Field!, Value: Value! }));
}

/** The Price List filters for gp3 storage in a region. */
export function gp3Filters(
  region: string,
): Array<{ Type: "TERM_MATCH"; Field: string; Value: string }> {
  return [
    ["regionCode", region],
    ["productFamily", "Storage"],
    ["volumeApiName", "gp3"],
  ].map(([Field, Value]) => ({ Type: "TERM_MATCH" as const, Field: Field!, Value: Value! }));
}

/**
 * Each instance type's hourly on-demand price, from `GetProducts` entries
 * filtered as {@link instanceFilters} says. Where a type has more than one
 * product (EC2 lists a few variants), the highest is kept: the quote is a
 * most, and the difference is a fraction of a cent.
 */
export function onDemandPrices(entries: readonly string[]): Record<string, number> {
  const prices: Record<string, number> = {};
  for (const entry of entries) {
    const product = productPrice(entry);
    const type = product?.attributes["instanceType"];
    if (product === undefined || type === undefined || product.unit !== "Hrs") continue;
    if (product.usd <= 0) continue;
    if (!Object.hasOwn(prices, type) || (prices[type] ?? 0) < product.usd) {
      Object.defineProperty(prices, type, {
        value: product.usd,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return prices;
}

/** gp3's USD per GiB-month from `GetProducts` entries filtered as {@link gp3Filters} says. */
export function gp3Price(entries: readonly string[]): number | undefined {
  for (const entry of entries) {
    const product = productPrice(entry);
    if (product !== undefined && product.unit === "GB-Mo") return product.usd;
  }
  return undefined;
}
