import { isoTime } from "./cluster-lifetime.js";

/*
 * Money and months as FlightDeck speaks of them: US dollars, and calendar
 * months in UTC ("2026-12"), the period budgets and AWS Budgets count in.
 * Pure: months are computed from milliseconds without `Date` (the core has
 * no clock).
 */

export const HOUR_MS = 3_600_000;

/** Hours AWS prices a month of storage over (its GB-month: 730 hours). */
export const HOURS_PER_MONTH = 730;

/**
 * An amount in dollars as users read it: cents from a dollar up, and up to
 * three decimals below one (an hourly rate of $0.133 is not $0.13).
 *
 * @example
 * usd(59.764) // => "$59.76"
 * usd(0.133) // => "$0.133"
 * usd(0.03) // => "$0.03"
 */
export function usd(amount: number): string {
  if (!Number.isFinite(amount)) return "$?";
  const sign = amount < 0 ? "-" : "";
  const value = Math.abs(amount);
  if (value >= 1 || value === 0) return `${sign}$${value.toFixed(2)}`;
  const fine = value.toFixed(3).replace(/0$/, "");
  return `${sign}$${fine}`;
}

/**
 * A sum of money (spent, left, a budget, a total) to the cent, as a bill
 * shows it: rates keep {@link usd}'s finer grain.
 *
 * @example
 * cents(0.309) // => "$0.31"
 */
export function cents(amount: number): string {
  if (!Number.isFinite(amount)) return "$?";
  return `${amount < 0 ? "-" : ""}$${Math.abs(amount).toFixed(2)}`;
}

/** Rounds to a tenth of a cent, how amounts are stored (no float noise in files). */
export function roundUsd(amount: number): number {
  return Math.round(amount * 1e4) / 1e4;
}

/** A calendar month in UTC: `YYYY-MM`. */
export type Month = string;

export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The month a moment falls in. */
export function monthOf(ms: number): Month {
  return isoTime(ms).slice(0, 7);
}

/** Days since the epoch of a civil date (Howard Hinnant's days-from-civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * The moment an ISO 8601 UTC time names (`2026-12-06T10:00:00Z`, with or
 * without fractions of a second), in ms since the epoch; NaN for anything else.
 */
export function parseIsoTime(text: string): number {
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$/.exec(text);
  if (match === null) return Number.NaN;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = match[7] === undefined ? 0 : Math.round(Number(match[7]) * 1000);
  return (
    daysFromCivil(year, month, day) * 86_400_000 +
    (hour * 3600 + minute * 60 + second) * 1000 +
    fraction
  );
}

/** A month's first and last moments: `[start, end)` in ms since the epoch. */
export function monthWindow(month: Month): { readonly start: number; readonly end: number } {
  const match = MONTH_PATTERN.exec(month);
  if (match === null) throw new Error(`not a month: ${month}`);
  const year = Number(match[1]);
  const m = Number(match[2]);
  const start = daysFromCivil(year, m, 1) * 86_400_000;
  const end = daysFromCivil(m === 12 ? year + 1 : year, m === 12 ? 1 : m + 1, 1) * 86_400_000;
  return { start, end };
}

/** The months `[from, to)` touches, oldest first. */
export function monthsBetween(from: number, to: number): Month[] {
  const months: Month[] = [];
  let at = from;
  while (at < to) {
    const month = monthOf(at);
    months.push(month);
    at = monthWindow(month).end;
  }
  return months;
}

/** The label every figure carries: it is computed, not billed. */
export const ESTIMATE_NOTE =
  "an estimate from AWS's list prices and FlightDeck's own records of the cluster's instances and disks; it leaves out data transfer, public IPv4 addresses, your home's EFS storage, and taxes";
