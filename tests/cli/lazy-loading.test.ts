import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fixturePath } from "../support/fixtures.js";
import { cli, PROJECT_ROOT } from "../support/run-cli.js";

/*
 * The built command loads only what a command needs: each run is traced
 * (every module it resolves), and each file it loaded is looked up in the
 * build's metafile to see which sources it holds. validate runs the merge
 * against the template built in, but must not pay for the AWS SDK or the
 * settings machinery; status pays for neither the merge nor render's.
 */

interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}

const metafile = (): Metafile =>
  JSON.parse(
    readFileSync(path.join(PROJECT_ROOT, "dist", "cli", "metafile.json"), "utf8"),
  ) as Metafile;

const hooks = pathToFileURL(
  fileURLToPath(new URL("../support/module-trace-hooks.mjs", import.meta.url)),
);
const registerHooks = `data:text/javascript,import { register } from "node:module"; register(${JSON.stringify(hooks.href)});`;

/** Runs the command with tracing; returns the sources in the files it loaded, and what else it loaded. */
async function sourcesLoadedBy(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; sources: string[]; outside: string[] }> {
  const folder = mkdtempSync(path.join(tmpdir(), "fd-trace-"));
  const trace = path.join(folder, "modules.txt");
  try {
    const { code } = await cli(
      args,
      { ...env, FD_MODULE_TRACE: trace },
      {
        nodeOptions: ["--import", registerHooks],
      },
    );
    const outputs = metafile().outputs;
    const files = [
      ...new Set(
        readFileSync(trace, "utf8")
          .split("\n")
          .filter((url) => url !== "")
          .map((url) => path.relative(PROJECT_ROOT, fileURLToPath(url)).split(path.sep).join("/")),
      ),
    ];
    return {
      code,
      sources: files.flatMap((file) => Object.keys(outputs[file]?.inputs ?? {})),
      outside: files.filter((file) => !file.startsWith("dist/cli/")),
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const AWS_SDK = /(^|\/)node_modules\/@(aws-sdk|smithy)\//;
const RENDER_ONLY = /^(stacks\/|cli\/commands\/render\.ts$|functions\/shared\/template-merge\.ts$)/;
/** What validate loads that no AWS command needs: the merge and the template it checks against. */
const CONFIG_CHECK = ["functions/shared/template-merge.ts", "template/cluster.json"];

describe("the built command loads only what a command needs", function () {
  this.timeout(30_000);

  it("validate loads the merge and its template, but neither the AWS SDK nor the settings, and nothing from node_modules", async () => {
    const run = await sourcesLoadedBy(["validate", fixturePath("configs/seed-example.json")]);
    expect(run.code).to.equal(0);
    expect(run.sources).to.include.members(["cli/commands/validate.ts", ...CONFIG_CHECK]);
    expect(
      run.sources.filter((s) => AWS_SDK.test(s) || /^stacks\/|render\.ts$/.test(s)),
    ).to.deep.equal([]);
    expect(run.outside).to.deep.equal(["cli/bin.mjs"]);
  });

  it("status loads the AWS SDK, but not render's machinery, cdktf or the provider", async () => {
    const run = await sourcesLoadedBy(["status"], {
      AWS_REGION: "eu-west-2",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_MAX_ATTEMPTS: "1",
      // Nothing listens on the discard port: the first call fails at once.
      AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9",
      AWS_ENDPOINT_URL_STS: "http://127.0.0.1:9",
      FLIGHTDECK_BUCKET: "fd-users",
      FLIGHTDECK_USER: "alice",
    });
    expect(run.code).to.equal(1);
    expect(run.sources.filter((s) => AWS_SDK.test(s))).not.to.deep.equal([]);
    expect(run.sources.filter((s) => RENDER_ONLY.test(s))).to.deep.equal([]);
    expect(run.outside).to.deep.equal(["cli/bin.mjs"]);
  });

  it("render loads its machinery when asked, and still no AWS SDK", async () => {
    const run = await sourcesLoadedBy(["--user", "alice", "render", "c1"]);
    expect(run.code).to.equal(0);
    expect(run.sources).to.include.members([
      "cli/commands/render.ts",
      "functions/shared/template-merge.ts",
    ]);
    expect(run.sources.filter((s) => AWS_SDK.test(s))).to.deep.equal([]);
  });
});
