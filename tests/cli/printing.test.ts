import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { statusCommand } from "../../cli/commands/status.js";
import { printable } from "../../cli/output.js";
import { cli } from "../support/run-cli.js";
import { contextFor, MemoryHome } from "../support/memory-home.js";

/*
 * What the CLI prints is honest and safe. A config's
 * size is its real size, not the bytes read of it; and names from outside
 * (keys in the home, file names) never print invisible characters raw.
 */

const ZWSP = "\u200b";

describe("flightdeck prints what is so, and nothing invisible", () => {
  let folder: string;
  before(() => (folder = mkdtempSync(path.join(tmpdir(), "fd-print-"))));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it("reports a 1 MB config's real size, not the 16 KiB + 1 read of it", async () => {
    const big = path.join(folder, "big.json");
    const head = '{"ComputeMaxNodes": 4';
    writeFileSync(big, `${head}${" ".repeat(1024 * 1024 - head.length - 1)}}`);
    const run = await cli(["validate", big]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain(
      "The config file is 1048576 bytes; the limit is 16384 bytes (16 KiB).",
    );
    expect(run.stderr).not.to.contain("16385");
  });

  it("says a file with no size is more than the limit, not how much was read", async () => {
    const run = await cli(["validate", "/dev/zero"]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain(
      "The config file is more than 16384 bytes; the limit is 16384 bytes (16 KiB).",
    );
  });

  it("escapes a zero-width character in a cluster's key in status", async () => {
    const home = new MemoryHome();
    home.put(`c${ZWSP}1.cf-created`, "203.0.113.7\n");
    home.put("c1.cf-created", "203.0.113.8\n");
    const { ctx, printed } = contextFor(home);
    expect(await statusCommand(ctx, undefined)).to.equal(0);
    expect(printed.stdout).not.to.contain(ZWSP);
    expect(printed.stdout).to.match(/^c\\u200b1 +running/m);
  });

  it("escapes a zero-width character in a config's file name", async () => {
    const file = path.join(folder, `cluster${ZWSP}.json`);
    writeFileSync(file, "{}");
    const run = await cli(["validate", file]);
    expect(run.code).to.equal(0);
    expect(run.stdout).not.to.contain(ZWSP);
    expect(run.stdout).to.contain("cluster\\u200b.json is a valid cluster config");
    const missing = await cli(["validate", path.join(folder, `no${ZWSP}such.json`)]);
    expect(missing.stderr).not.to.contain(ZWSP);
    expect(missing.stderr).to.contain("no\\u200bsuch.json");
  });

  it("escapes every invisible or reordering character, and only those", () => {
    const invisible = [
      "\u00ad", // soft hyphen
      "\u061c", // Arabic letter mark
      "\u180e", // Mongolian vowel separator
      "\u200b\u200c\u200d\u200e\u200f", // zero-width space, non-joiner, joiner; LRM, RLM
      "\u2028\u2029", // line and paragraph separators
      "\u202e\u2066", // bidi override and isolate
      "\u2060\u2061", // word joiner, function application
      "\u3164", // Hangul filler
      "\ufe0f", // variation selector
      "\ufeff", // byte-order mark
      "\udb40\udc41", // tag letter A (U+E0041)
      "\ud800", // a lone surrogate
    ];
    for (const text of invisible) {
      const shown = printable(`a${text}b`);
      expect(shown, JSON.stringify(text)).to.match(/^a(\\u[0-9a-f]{4})+b$/);
      expect(printable(shown)).to.equal(shown);
    }
    expect(printable("\udb40\udc41")).to.equal("\\udb40\\udc41");
    expect(printable("café ü 日本 r4.large-2C-15.25GB")).to.equal(
      "café ü 日本 r4.large-2C-15.25GB",
    );
  });
});
