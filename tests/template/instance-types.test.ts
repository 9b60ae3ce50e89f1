import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { instanceTypeOfLabel } from "../../functions/shared/config-fields.js";
import { resolveInstanceType } from "../../functions/shared/instance-table.js";
import {
  INSTANCE_PRESETS,
  instanceLabelFor,
  OTHER_CHOICE,
  OTHER_INSTANCE_TYPES,
  threadsPerCore,
} from "../../template/instance-types.js";
import { declaration, decoded, evaluateCondition, template } from "./cluster-template-support.js";

/* The instance types the template offers (template/instance-types.ts). */

describe("the default template's instance types", () => {
  const labels = (declaration("ComputeInstanceTypeOther").AllowedValues ?? []).map(String);
  const shapeOf = (type: string) => labels.find((label) => label.startsWith(`${type}-`));

  it("labels well-known types with their documented vCPUs and memory", () => {
    const documented: Record<string, string> = {
      "r4.large": "2C-15.25GB",
      "r4.16xlarge": "64C-488GB",
      "m5.24xlarge": "96C-384GB",
      "m7i.48xlarge": "192C-768GB",
      "c5.9xlarge": "36C-72GB",
      "c5.18xlarge": "72C-144GB",
      "c5n.large": "2C-5.25GB",
      "c5n.9xlarge": "36C-96GB",
      "c5n.18xlarge": "72C-192GB",
      "c6i.32xlarge": "128C-256GB",
      "c7i.48xlarge": "192C-384GB",
      "r5.12xlarge": "48C-384GB",
      "r6i.32xlarge": "128C-1024GB",
      "r7i.48xlarge": "192C-1536GB",
      "hpc6a.48xlarge": "96C-384GB",
      "hpc6id.32xlarge": "64C-1024GB",
      "hpc7a.12xlarge": "24C-768GB",
      "hpc7a.96xlarge": "192C-768GB",
    };
    for (const [type, shape] of Object.entries(documented)) {
      expect(shapeOf(type), type).to.equal(`${type}-${shape}`);
    }
  });

  it("lists each type once, all x86_64 and able to join a cluster placement group", () => {
    const types = labels.map((label) => label.split("-")[0] ?? "");
    expect(new Set(types).size).to.equal(types.length);
    for (const type of types) {
      // Burstable t*, Graviton (a family letter g after the generation) and
      // the families EC2 keeps out of cluster placement groups.
      expect(type, type).not.to.match(/^(t\d|a1|c3|r3|i2|g2|mac)|^[a-z]+\d+g[a-z]*\./);
    }
  });

  it("resolves every preset through resolveInstanceType to its mapping's InstanceType", () => {
    const cfn = decoded();
    for (const [preset, entry] of Object.entries(INSTANCE_PRESETS)) {
      expect(resolveInstanceType(cfn, preset, undefined)).to.equal(entry.InstanceType);
      // The label names the same type, with the type table's shape where the table lists it.
      expect(instanceTypeOfLabel(entry.Label), preset).to.equal(entry.InstanceType);
      const listed = OTHER_INSTANCE_TYPES.get(entry.InstanceType);
      if (listed !== undefined)
        expect(entry.Label, preset).to.equal(instanceLabelFor(entry.InstanceType, listed));
      // Only the HPC preset trades the other zones' capacity for a cluster placement group.
      expect(entry.PlacementGroup, preset).to.equal(preset === "hpc" ? "true" : "false");
    }
    expect(resolveInstanceType(cfn, OTHER_CHOICE, "r4.large-2C-15.25GB")).to.equal("r4.large");
    expect(resolveInstanceType(cfn, OTHER_CHOICE, undefined)).to.equal(undefined);
  });

  it("sizes Slurm's nodes in master.sh from every label: its cores and 95% of its memory", () => {
    const master = readFileSync(new URL("../../template/boot/master.sh", import.meta.url), "utf8");
    const shape = /^fd_node_shape\(\) \{\n[\s\S]*?\n\}\n/m.exec(master)?.[0];
    expect(shape, "fd_node_shape in master.sh").to.be.a("string");
    const all = [...labels, ...Object.values(INSTANCE_PRESETS).map((preset) => preset.Label)];
    const run = spawnSync(
      "bash",
      ["-c", `${shape}\nfor l in "$@"; do fd_node_shape "$l"; done`, "bash", ...all],
      {
        encoding: "utf8",
      },
    );
    expect(run.status, run.stderr).to.equal(0);
    const expected = all.map((label) => {
      const [, type = "", vcpus = "", gib = ""] = /^(.+?)-(\d+)C-([\d.]+)GB$/.exec(label) ?? [];
      const cores = Math.max(1, Math.floor(Number(vcpus) / threadsPerCore(type)));
      return `${cores} ${Math.floor(Number(gib) * 1024 * 0.95)}`;
    });
    expect(run.stdout.trim().split("\n")).to.deep.equal(expected);
  });

  it("uses a placement group, in one zone, for the HPC preset only: every other choice spreads over every zone", () => {
    const use = (choice: string) =>
      evaluateCondition(template, "UsePlacementGroup", { ComputeInstanceType: choice });
    expect(use("small")).to.equal(false);
    expect(use("medium")).to.equal(false);
    expect(use("large")).to.equal(false);
    expect(use("hpc")).to.equal(true);
    expect(use(OTHER_CHOICE)).to.equal(false);
  });

  it("sizes Slurm's nodes by the smallest cores and memory of several labels", () => {
    const master = readFileSync(new URL("../../template/boot/master.sh", import.meta.url), "utf8");
    const shape = /^fd_node_shape\(\) \{\n[\s\S]*?\n\}\n/m.exec(master)?.[0] ?? "";
    const run = spawnSync(
      "bash",
      [
        "-c",
        `${shape}\nfd_node_shape "$1"`,
        "bash",
        "r7i.large-2C-16GB,c7i.large-2C-4GB,m7i.large-2C-8GB",
      ],
      { encoding: "utf8" },
    );
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.trim()).to.equal(`1 ${Math.floor(4 * 1024 * 0.95)}`);
  });
});
