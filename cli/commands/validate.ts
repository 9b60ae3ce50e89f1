import { open } from "node:fs/promises";
import { isLeft } from "fp-ts/lib/Either.js";
import {
  MAX_CONFIG_BYTES,
  parseClusterConfig,
  type ClusterConfig,
} from "../../functions/shared/cluster-config.js";
import { CliError, type CliContext } from "../cli-context.js";
import { EXIT } from "../output.js";

/**
 * At most one byte more than a config may hold: enough to tell it is too
 * large, without reading on (`/dev/zero`, a FIFO or a huge file never ends).
 */
async function readCapped(path: string): Promise<Uint8Array> {
  const file = await open(path, "r");
  try {
    const buffer = new Uint8Array(MAX_CONFIG_BYTES + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await file.close();
  }
}

/** Reads and decodes a config file with the Lambda's own codec; every problem names its field. */
export async function readConfig(
  path: string | undefined,
): Promise<{ bytes: Uint8Array; config: ClusterConfig; errors: string[] }> {
  let bytes: Uint8Array;
  if (path === undefined) {
    bytes = new TextEncoder().encode("{}\n");
  } else {
    try {
      bytes = await readCapped(path);
    } catch (error) {
      throw new CliError(
        `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }
  const decoded = parseClusterConfig(bytes);
  return isLeft(decoded)
    ? { bytes, config: {}, errors: decoded.left }
    : { bytes, config: decoded.right, errors: [] };
}

/** `flightdeck validate <config.json>`: checks a config offline. */
export async function validateCommand(ctx: CliContext, path: string): Promise<number> {
  const { config, errors } = await readConfig(path);
  const { out } = ctx;
  if (out.json) {
    out.data(errors.length === 0 ? { valid: true, config } : { valid: false, errors });
    return errors.length === 0 ? EXIT.ok : EXIT.failed;
  }
  if (errors.length > 0) {
    out.io.stderr.write(`${out.bad("✖")} ${path} is not a valid cluster config:\n`);
    for (const error of errors) out.io.stderr.write(`  - ${error}\n`);
    return EXIT.failed;
  }
  out.line(`${out.good("✔")} ${path} is a valid cluster config.`);
  for (const [key, value] of Object.entries(config)) out.line(`  ${key} = ${value}`);
  if (Object.keys(config).length === 0) out.line("  (all settings at their defaults)");
  return EXIT.ok;
}
