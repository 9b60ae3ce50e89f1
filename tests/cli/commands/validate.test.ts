import { expect } from "chai";
import fc from "fast-check";
import { isLeft } from "fp-ts/lib/Either.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { validateCommand } from "../../../cli/commands/validate.js";
import { parseClusterConfig } from "../../../functions/shared/cluster-config.js";
import { CLUSTER_CONFIG_FIELDS } from "../../../functions/shared/config-fields.js";
import type { ClusterName, UserId } from "../../../functions/shared/identifiers.js";
import { mergeTemplate } from "../../../functions/shared/template-merge.js";
import { loadClusterTemplate } from "../../../stacks/deployment/cluster-template.js";
import { basePolicy } from "../../support/policies.js";
import { cli, PROJECT_ROOT } from "../../support/run-cli.js";
import { contextFor, MemoryHome } from "../../support/memory-home.js";

/*
 * `validate` says "valid" only to what cf-create takes.
 * It runs the codec and then the merge, so the template's allowed presets,
 * instance labels, patterns and bounds, and the node counts with the
 * template's defaults in, refuse a config here as they would there.
 */

const TEMPLATE = path.join(PROJECT_ROOT, "template", "cluster.json");

describe("flightdeck validate: valid means cf-create takes it", function () {
  this.timeout(60_000);
  let folder: string;
  before(() => (folder = mkdtempSync(path.join(tmpdir(), "fd-validate-"))));
  after(() => rmSync(folder, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const at = path.join(folder, name);
    writeFileSync(at, text);
    return at;
  };

  it("refuses a preset the template does not offer, as render does", async () => {
    const config = file("xlarge.json", '{"ComputeInstanceType":"xlarge"}');
    const validate = await cli(["validate", config]);
    expect(validate.code).to.equal(1);
    expect(validate.stdout).to.equal("");
    expect(validate.stderr).to.contain(
      'ComputeInstanceType: must be one of small, medium, large, hpc, other (got "xlarge").',
    );
    const render = await cli(["--user", "alice", "render", "c1", "-c", config]);
    expect(render.code).to.equal(1);
    expect(render.stderr).to.contain("must be one of small, medium, large, hpc, other");
  });

  it("refuses an instance label the template does not list", async () => {
    const config = file(
      "p4d.json",
      '{"ComputeInstanceType":"other","ComputeInstanceTypeOther":"p4d.24xlarge-96C-1152GB"}',
    );
    const run = await cli(["validate", config]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain('(got "p4d.24xlarge-96C-1152GB")');
  });

  it("refuses more initial nodes than the template's default maximum", async () => {
    const max = Number(
      loadClusterTemplate(TEMPLATE).template.Parameters?.["ComputeMaxNodes"]?.Default,
    );
    const config = file("initial.json", JSON.stringify({ ComputeInitialNodes: max + 1 }));
    const run = await cli(["validate", config]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain(
      `ComputeInitialNodes (${max + 1}) must not be larger than ComputeMaxNodes (${max}).`,
    );
  });

  it("create refuses the same config before asking for a bucket, and uploads nothing", async () => {
    const run = await cli([
      "create",
      "c1",
      "-c",
      file("xlarge2.json", '{"MasterInstanceType":"xlarge"}'),
    ]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain("is not valid; nothing was uploaded");
    expect(run.stderr).to.contain(
      'MasterInstanceType: must be one of small, medium, large, hpc, other (got "xlarge")',
    );
  });

  it("with --settings, checks the deployment's own limits, a user's where the settings name them", async () => {
    const config = file("fifty.json", '{"ComputeMaxNodes": 50}');
    const settings = ["--settings", "settings/example.json"];
    const deployment = await cli(["validate", config, ...settings]);
    expect(deployment.code).to.equal(1);
    expect(deployment.stderr).to.contain("ComputeMaxNodes is 50, above your limit of 32");
    const bob = await cli(["--user", "bob", "validate", config, ...settings]);
    expect(bob.code, bob.stderr).to.equal(0);
    expect(bob.stderr).to.contain("bob's limits in settings/example.json");
    // Without settings, the limits are not the CLI's to know.
    expect((await cli(["validate", config])).code).to.equal(0);
  });

  describe("accepts exactly what the merge accepts under a policy that limits nothing", () => {
    const template = loadClusterTemplate(TEMPLATE).template;
    // No limits; and idle deletion may be off, which an admin may allow.
    const policy = basePolicy({ limits: { allowNeverIdleDelete: "true" } });
    const mergeAccepts = (bytes: Uint8Array) => {
      const config = parseClusterConfig(bytes);
      if (isLeft(config)) return false;
      const plan = mergeTemplate({
        template,
        policy,
        user: "alice" as UserId,
        cluster: "c1" as ClusterName,
        config: config.right,
        requestId: "v1",
      });
      return !isLeft(plan);
    };

    // Per setting: mostly values near what the template takes (its own
    // choices, numbers around its bounds, labels it does not list), so the
    // cases where only the merge refuses come up often; sometimes anything.
    const anything = fc.oneof(
      fc.constantFrom("0", "0.0", "0.001", "0.0011", "0.03", "1000.5", "-1", "", " 4 ", "other"),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.string({ maxLength: 6 }),
    );
    const near = (field: string): fc.Arbitrary<unknown> => {
      const declared = template.Parameters?.[field];
      const choices = (declared?.AllowedValues ?? []).map(String);
      const min = Number(declared?.MinValue ?? 0);
      const max = Number(declared?.MaxValue ?? 1000);
      const taken =
        choices.length > 0
          ? fc.constantFrom(...choices)
          : declared?.Type === "Number"
            ? fc.integer({ min, max: Math.min(max, min + 20) })
            : fc.constantFrom("0", "0.002", "0.03", "0.5", "1000");
      return fc.oneof(
        { weight: 6, arbitrary: taken },
        { weight: 1, arbitrary: fc.constantFrom(min - 1, max, max + 1, String(max)) },
        {
          weight: 1,
          arbitrary: fc.constantFrom("xlarge", "t3.micro", "p4d.24xlarge-96C-1152GB", "other"),
        },
      );
    };
    const configs = fc
      .tuple(
        fc.subarray([...CLUSTER_CONFIG_FIELDS], { maxLength: 4 }),
        fc.oneof(
          { weight: 9, arbitrary: fc.constant(null) },
          { weight: 1, arbitrary: fc.constantFrom("AccessNetwork", "ClusterName", "Colour") },
        ),
      )
      .chain(([fields, extra]) =>
        fc
          .tuple(
            ...fields.map((f) =>
              fc.oneof({ weight: 8, arbitrary: near(f) }, { weight: 1, arbitrary: anything }),
            ),
          )
          .map((values) => ({
            ...Object.fromEntries(fields.map((f, i) => [f, values[i]])),
            ...(extra === null ? {} : { [extra]: "x" }),
          })),
      );

    it("for generated configs", async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(configs, async (config) => {
          const text = JSON.stringify(config);
          const at = file(`generated-${(n += 1)}.json`, text);
          const { ctx } = contextFor(new MemoryHome());
          const code = await validateCommand(ctx, at);
          expect(code === 0, text).to.equal(mergeAccepts(new TextEncoder().encode(text)));
        }),
        { numRuns: 300 },
      );
    });
  });
});
