import { open } from "node:fs/promises";
import { isLeft } from "fp-ts/lib/Either.js";
import {
  MAX_CONFIG_BYTES,
  parseClusterConfig,
  type ClusterConfig,
} from "../../functions/shared/cluster-config.js";
import type { ClusterName } from "../../functions/shared/identifiers.js";
import type { CliContext } from "../cli-context.js";
import { CliError } from "../cli-error.js";
import type { ConfigRules } from "../config-check.js";
import type { PriceBook } from "../../functions/shared/price-book.js";
import type { PriceQuote } from "../price-quote.js";
import { EXIT, printable } from "../output.js";

export interface ValidateOptions {
  /** A deployment's settings file: check against its template, defaults and limits. */
  readonly settings?: string | undefined;
}

/**
 * At most one byte more than a config may hold: enough to tell it is too
 * large, without reading on (`/dev/zero`, a FIFO or a huge file never ends).
 * A regular file's real size comes from the file system, so a refusal can say it.
 */
async function readCapped(path: string): Promise<{ bytes: Uint8Array; size?: number }> {
  const file = await open(path, "r");
  try {
    const stats = await file.stat();
    const buffer = new Uint8Array(MAX_CONFIG_BYTES + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { bytes: buffer.subarray(0, filled), ...(stats.isFile() ? { size: stats.size } : {}) };
  } finally {
    await file.close();
  }
}

/** The refusal of a file over the limit, with its size when known, never the bytes read of it. */
function tooLarge(size: number | undefined): string {
  const actual =
    size !== undefined && size > MAX_CONFIG_BYTES
      ? `${size} bytes`
      : `more than ${MAX_CONFIG_BYTES} bytes`;
  return `The config file is ${actual}; the limit is ${MAX_CONFIG_BYTES} bytes (16 KiB).`;
}

/** Reads and decodes a config file with the Lambda's own codec; every problem names its field. */
export async function readConfig(
  path: string | undefined,
): Promise<{ bytes: Uint8Array; config: ClusterConfig; errors: string[] }> {
  let read: { bytes: Uint8Array; size?: number };
  if (path === undefined) {
    read = { bytes: new TextEncoder().encode("{}\n") };
  } else {
    try {
      read = await readCapped(path);
    } catch (error) {
      throw new CliError(
        `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }
  const { bytes } = read;
  if (bytes.byteLength > MAX_CONFIG_BYTES)
    return { bytes, config: {}, errors: [tooLarge(read.size)] };
  const decoded = parseClusterConfig(bytes);
  return isLeft(decoded)
    ? { bytes, config: {}, errors: decoded.left }
    : { bytes, config: decoded.right, errors: [] };
}

/**
 * Reads a config and checks it as cf-create would: the codec, then the merge
 * against `rules` (by default the template this CLI was built with, under a
 * policy that limits nothing). No error means cf-create takes it, but for the
 * administrator's limits when `rules` are not the deployment's own.
 */
export async function checkConfig(
  path: string | undefined,
  rules?: ConfigRules,
  cluster?: ClusterName,
): Promise<{ bytes: Uint8Array; config: ClusterConfig; errors: string[] }> {
  const read = await readConfig(path);
  if (read.errors.length > 0) return read;
  // The template and the merge load only when a config is checked.
  const { configProblems, shippedRules } = await import("../config-check.js");
  return { ...read, errors: configProblems(read.config, rules ?? shippedRules(), cluster) };
}

/**
 * A valid config's price before launch, with the last price book this
 * `flightdeck` fetched (offline: nothing is asked of AWS here).
 */
export async function priceOf(
  ctx: CliContext,
  config: ClusterConfig,
  rules: ConfigRules | undefined,
  book?: PriceBook | undefined,
  cluster?: ClusterName,
): Promise<PriceQuote | undefined> {
  const [{ quoteConfig }, { shippedRules }, { cachedPrices }] = await Promise.all([
    import("../price-quote.js"),
    import("../config-check.js"),
    import("../price-cache.js"),
  ]);
  const prices = book ?? (await cachedPrices(ctx.io.env));
  return quoteConfig(config, rules ?? shippedRules(), prices, Date.now(), cluster);
}

/** `flightdeck validate <config.json> [--settings <file>]`: checks a config offline. */
export async function validateCommand(
  ctx: CliContext,
  path: string,
  options: ValidateOptions = {},
): Promise<number> {
  const rules =
    options.settings === undefined
      ? undefined
      : (await import("../settings-rules.js")).rulesFromSettings(
          options.settings,
          ctx.options.user,
        );
  const { config, errors } = await checkConfig(path, rules);
  const { out } = ctx;
  const price = errors.length === 0 ? await priceOf(ctx, config, rules) : undefined;
  if (out.json) {
    out.data(errors.length === 0 ? { valid: true, config, price } : { valid: false, errors });
    return errors.length === 0 ? EXIT.ok : EXIT.failed;
  }
  if (errors.length > 0) {
    out.io.stderr.write(`${out.bad("✖")} ${printable(path)} is not a valid cluster config:\n`);
    for (const error of errors) out.io.stderr.write(`  - ${printable(error)}\n`);
    return EXIT.failed;
  }
  out.line(`${out.good("✔")} ${printable(path)} is a valid cluster config.`);
  for (const [key, value] of Object.entries(config)) out.line(`  ${key} = ${printable(value)}`);
  if (Object.keys(config).length === 0) out.line("  (all settings at their defaults)");
  if (price !== undefined) out.line(`Price: ${printable(price.text)}`);
  if (rules !== undefined) out.note(`Checked against ${printable(rules.source)}.`);
  return EXIT.ok;
}
