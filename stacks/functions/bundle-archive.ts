import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateRawSync } from "node:zlib";
import { filesUnder } from "../customizer/customizer-content.js";

/*
 * A deterministic zip of a bundle folder, made in-process. cdktf's ARCHIVE
 * assets spawn a Node child per archive (about 0.55 s each here) and stamp
 * file times into the zip; this takes a few milliseconds, and the same
 * bundle always gives the same bytes, so an unchanged rebuild is no redeploy.
 */

/** MS-DOS date for 1980-01-01, the earliest a zip can say: no clock in the archive. */
const DOS_DATE = (1 << 5) | 1;
const UTF8_NAMES = 0x0800;
const DEFLATE = 8;
const VERSION = 20;
/** Unix, so the external attributes below are file modes. */
const MADE_BY_UNIX = (3 << 8) | VERSION;
const REGULAR_FILE_644 = (0o100644 << 16) >>> 0;

function header(fields: ReadonlyArray<readonly [bytes: 2 | 4, value: number]>): Buffer {
  const buffer = Buffer.alloc(fields.reduce((size, [bytes]) => size + bytes, 0));
  let offset = 0;
  for (const [bytes, value] of fields) {
    offset =
      bytes === 2 ? buffer.writeUInt16LE(value, offset) : buffer.writeUInt32LE(value, offset);
  }
  return buffer;
}

/** The zip of every file under `dir`, in sorted order, with fixed times and modes. */
export function zipDirectory(dir: string): Buffer {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const files = filesUnder(dir);
  for (const file of files) {
    const name = Buffer.from(file, "utf8");
    const data = readFileSync(join(dir, file));
    const compressed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const common: Array<readonly [2 | 4, number]> = [
      [2, VERSION],
      [2, UTF8_NAMES],
      [2, DEFLATE],
      [2, 0],
      [2, DOS_DATE],
      [4, crc],
      [4, compressed.length],
      [4, data.length],
      [2, name.length],
      [2, 0],
    ];
    const entry = Buffer.concat([header([[4, 0x04034b50], ...common]), name, compressed]);
    central.push(
      Buffer.concat([
        header([
          [4, 0x02014b50],
          [2, MADE_BY_UNIX],
          ...common,
          [2, 0],
          [2, 0],
          [2, 0],
          [4, REGULAR_FILE_644],
          [4, offset],
        ]),
        name,
      ]),
    );
    local.push(entry);
    offset += entry.length;
  }
  const directory = Buffer.concat(central);
  const end = header([
    [4, 0x06054b50],
    [2, 0],
    [2, 0],
    [2, files.length],
    [2, files.length],
    [4, directory.length],
    [4, offset],
    [2, 0],
  ]);
  return Buffer.concat([...local, directory, end]);
}

/**
 * Zips a bundle folder into a file named by its content hash (outside the
 * project, so fixtures and dist/ stay untouched) and returns its path.
 */
export function bundleArchive(dir: string): string {
  const zip = zipDirectory(dir);
  const folder = join(tmpdir(), "flightdeck-bundles");
  const path = join(folder, `${createHash("sha256").update(zip).digest("hex")}.zip`);
  if (!existsSync(path)) {
    mkdirSync(folder, { recursive: true });
    // Write then rename, so a concurrent synth never reads half a zip.
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, zip);
    renameSync(partial, path);
  }
  return path;
}
