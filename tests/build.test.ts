import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { buildFunction, inlineSchemaKeys, zipBundle } from "../build.mjs";
import { FIXTURE_BUNDLES_DIR } from "./stacks/support/synth.js";

/** What Python's zipfile, a reader of its own, makes of a zip: each entry's name, mode, date and text. */
function unzip(
  zip: Uint8Array,
): Array<{ name: string; mode: string; date: number[]; text: string }> {
  const folder = mkdtempSync(path.join(tmpdir(), "fd-zip-"));
  try {
    const file = path.join(folder, "bundle.zip");
    writeFileSync(file, zip);
    const read = spawnSync(
      "python3",
      [
        "-c",
        `import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None, "a CRC does not match"
print(json.dumps([{"name": i.filename, "mode": oct(i.external_attr >> 16), "date": list(i.date_time),
                   "text": z.read(i).decode()} for i in z.infolist()]))`,
        file,
      ],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    expect(read.status, read.stderr).to.equal(0);
    return JSON.parse(read.stdout) as ReturnType<typeof unzip>;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("bundle zips", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "fd-bundle-"));
    mkdirSync(path.join(dir, "chunks"));
    writeFileSync(path.join(dir, "index.mjs"), "export const handler = async () => 1;\n");
    writeFileSync(path.join(dir, "chunks", "a.mjs"), "export const a = 1;\n");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("unzip to the bundle's files, sorted, readable by Lambda (0644), dated 1980-01-01", async () => {
    expect(unzip(await zipBundle(dir))).to.deep.equal([
      {
        name: "chunks/a.mjs",
        mode: "0o100644",
        date: [1980, 1, 1, 0, 0, 0],
        text: "export const a = 1;\n",
      },
      {
        name: "index.mjs",
        mode: "0o100644",
        date: [1980, 1, 1, 0, 0, 0],
        text: "export const handler = async () => 1;\n",
      },
    ]);
  });

  it("are the same bytes for the same files, whatever their times", async () => {
    const first = sha256(await zipBundle(dir));
    utimesSync(path.join(dir, "index.mjs"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(sha256(await zipBundle(dir))).to.equal(first);
  });

  it("are the same bytes in every time zone (zip times are local)", () => {
    const hashIn = (timeZone: string) =>
      spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const { zipBundle } = await import(${JSON.stringify(pathToFileURL(path.resolve("build.mjs")).href)});
           const { createHash } = await import("node:crypto");
           console.log(createHash("sha256").update(await zipBundle(${JSON.stringify(dir)})).digest("hex"));`,
        ],
        { encoding: "utf8", env: { ...process.env, TZ: timeZone } },
      ).stdout.trim();
    const utc = hashIn("UTC");
    expect(utc).to.match(/^[0-9a-f]{64}$/);
    expect([hashIn("America/New_York"), hashIn("Pacific/Kiritimati")]).to.deep.equal([utc, utc]);
  });

  it("change when the code changes", async () => {
    const first = sha256(await zipBundle(dir));
    writeFileSync(path.join(dir, "index.mjs"), "export const handler = async () => 2;\n");
    expect(sha256(await zipBundle(dir))).not.to.equal(first);
  });

  it("the synth tests' fixture zips are their fixture folders, zipped", async () => {
    for (const name of ["cf-create", "cf-delete"]) {
      const fixture = path.join(FIXTURE_BUNDLES_DIR, name);
      expect(sha256(readFileSync(`${fixture}.zip`)), name).to.equal(
        sha256(await zipBundle(fixture)),
      );
    }
  });
});

describe("build.mjs", function () {
  this.timeout(60_000);

  it("builds the same zip, byte for byte, from the same sources", async () => {
    // Two output folders at the same depth, so the source maps' relative paths match too.
    const builds = [
      mkdtempSync(path.join(tmpdir(), "fd-build-")),
      mkdtempSync(path.join(tmpdir(), "fd-build-")),
    ];
    try {
      const hashes = [];
      for (const outRoot of builds) {
        await buildFunction("cf-delete", outRoot);
        hashes.push(sha256(readFileSync(path.join(outRoot, "functions", "cf-delete.zip"))));
      }
      expect(hashes[1]).to.equal(hashes[0]);
      const files = unzip(readFileSync(path.join(builds[0] ?? "", "functions", "cf-delete.zip")));
      expect(files.map((f) => f.name)).to.include("index.mjs");
      // Only the S3 operations the function calls have their schemas shipped (inlineSchemaKeys).
      const code = files.filter((f) => f.name.endsWith(".mjs")).map((f) => f.text);
      expect(code.join("\n"))
        .to.include('"DeleteObjectsRequest"')
        .and.not.include("GetBucketWebsite");
    } finally {
      for (const outRoot of builds) rmSync(outRoot, { recursive: true, force: true });
    }
  });
});

describe("inlineSchemaKeys (the SDK's schema modules, made tree-shakable)", () => {
  const schemaModule = [
    'const _hH = "httpHeader";',
    'const _xN = "xmlName";',
    'const n0 = "com.amazonaws.s3";',
    'export var Used$ = [3, n0, "Used", 0, ["A"], [[0, { [_hH]: "x-a" }]]];',
    'export var Unused$ = [3, n0, "Unused", { [_xN]: "U" }, [], [() => Used$]];',
    "",
  ].join("\n");

  it("writes each computed key of a string constant as the string, and nothing else", () => {
    expect(inlineSchemaKeys(schemaModule)).to.equal(
      schemaModule.replace("[_hH]:", '"httpHeader":').replace("[_xN]:", '"xmlName":'),
    );
  });

  it("lets esbuild drop the schemas nothing imports, which it keeps otherwise", async () => {
    const { build } = await import("esbuild");
    const bundle = async (contents: string) =>
      (
        await build({
          stdin: {
            contents: "import { Used$ } from './schemas.js'; console.log(Used$);",
            resolveDir: "/",
            loader: "js",
          },
          plugins: [
            {
              name: "schemas",
              setup(pluginBuild) {
                pluginBuild.onResolve({ filter: /schemas\.js$/ }, () => ({
                  path: "schemas.js",
                  namespace: "t",
                }));
                pluginBuild.onLoad({ filter: /.*/, namespace: "t" }, () => ({
                  contents,
                  loader: "js",
                }));
              },
            },
          ],
          bundle: true,
          format: "esm",
          write: false,
        })
      ).outputFiles[0]?.text ?? "";
    expect(await bundle(schemaModule)).to.include("Unused");
    const shaken = await bundle(inlineSchemaKeys(schemaModule));
    expect(shaken).to.include("x-a").and.not.include("Unused");
  });

  it("refuses a module where a name could be shadowed, or declared twice", () => {
    for (const [extra, why] of [
      ["export var f$ = (_hH) => ({ [_hH]: 1 });", /binds names other than at the top level/],
      ["function g(_hH) { return _hH; }", /binds names other than at the top level/],
      ["let y = 1;", /binds names other than at the top level/],
      ['var _hH = "other";', /_hH is declared twice/],
    ] as const) {
      expect(() => inlineSchemaKeys(`${schemaModule}${extra}\n`), extra).to.throw(why);
    }
  });

  it("refuses a module with no key to inline, or one a string holds", () => {
    expect(() => inlineSchemaKeys('export var A$ = [3, "n", "A", 0, [], []];\n')).to.throw(
      /no computed key of a string constant/,
    );
    expect(() =>
      inlineSchemaKeys(`${schemaModule}export var Doc = "see { [_hH]: x }";\n`),
    ).to.throw(/a string holds a computed key/);
  });

  it("accepts every SDK client's schema module the project installs", () => {
    const sdk = path.resolve("node_modules", "@aws-sdk");
    const clients = readdirSync(sdk).filter((name) => name.startsWith("client-"));
    expect(clients).to.include.members([
      "client-s3",
      "client-cloudformation",
      "client-dynamodb",
      "client-ses",
    ]);
    for (const client of clients) {
      const file = path.join(sdk, client, "dist-es", "schemas", "schemas_0.js");
      const source = readFileSync(file, "utf8");
      expect(inlineSchemaKeys(source, file), client).not.to.equal(source);
    }
  });
});
