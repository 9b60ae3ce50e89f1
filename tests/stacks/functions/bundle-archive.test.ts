import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { bundleArchive, zipDirectory } from "../../../stacks/functions/bundle-archive.js";

/** Reads a zip's central directory: each entry's name, mode and inflated content. */
function unzip(zip: Buffer): Array<{ name: string; mode: number; content: string }> {
  const end = zip.length - 22;
  expect(zip.readUInt32LE(end)).to.equal(0x06054b50);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i += 1) {
    expect(zip.readUInt32LE(at)).to.equal(0x02014b50);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const mode = zip.readUInt32LE(at + 38) >>> 16;
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const content = inflateRawSync(zip.subarray(dataStart, dataStart + size)).toString("utf8");
    entries.push({ name, mode, content });
    at += 46 + nameLength;
  }
  return entries;
}

describe("bundle archives", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "fd-bundle-"));
    mkdirSync(join(dir, "chunks"));
    writeFileSync(join(dir, "index.mjs"), "export const handler = async () => 1;\n");
    writeFileSync(join(dir, "chunks", "a.mjs"), "export const a = 1;\n");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("holds every file of the bundle, readable by Lambda, with its content", () => {
    expect(unzip(zipDirectory(dir))).to.deep.equal([
      { name: "chunks/a.mjs", mode: 0o100644, content: "export const a = 1;\n" },
      { name: "index.mjs", mode: 0o100644, content: "export const handler = async () => 1;\n" },
    ]);
  });

  it("is the same bytes for the same content, whatever the files' times", () => {
    const first = zipDirectory(dir);
    utimesSync(join(dir, "index.mjs"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(zipDirectory(dir).equals(first)).to.equal(true);
  });

  it("changes when the code changes", () => {
    const first = zipDirectory(dir);
    writeFileSync(join(dir, "index.mjs"), "export const handler = async () => 2;\n");
    expect(zipDirectory(dir).equals(first)).to.equal(false);
  });

  it("writes the zip under a name made from its content", () => {
    const path = bundleArchive(dir);
    expect(readFileSync(path).equals(zipDirectory(dir))).to.equal(true);
    expect(bundleArchive(dir)).to.equal(path);
  });
});
