import { expect } from "chai";
import fc from "fast-check";
import { decodeTemplate, type CfnTemplate } from "../../../functions/shared/cfn-template.js";
import {
  computeInstanceTypes,
  defaultComputeTypes,
  largestComputeInstanceType,
  MAX_COMPUTE_TYPES,
  settleComputeTypes,
} from "../../../functions/shared/compute-types.js";
import { instanceTable, threadsPerCore } from "../../../functions/shared/instance-table.js";
import { rightOf } from "../../support/either.js";
import { fixtureJson } from "../../support/fixtures.js";

/*
 * The compute group's instance types (functions/shared/compute-types.ts):
 * what the merge settles, and what computeInstanceTypes tells the price
 * estimate and the CLI about a merged cluster.
 */

const LABELS = [
  "c5.large-2C-4GB",
  "c6i.large-2C-4GB",
  "c7i.large-2C-4GB",
  "c5n.large-2C-5.25GB",
  "m5.large-2C-8GB",
  "m6i.large-2C-8GB",
  "m7i.large-2C-8GB",
  "r4.large-2C-15.25GB",
  "r7i.large-2C-16GB",
  "c7i.xlarge-4C-8GB",
  "m7i.xlarge-4C-16GB",
  "hpc7a.12xlarge-24C-768GB",
  "c7i.12xlarge-48C-96GB",
];

/** A template shaped like the default one: presets, an `other` list and the types list. */
function templateWith(options: { typesParameter: boolean }): CfnTemplate {
  return rightOf(
    decodeTemplate({
      Parameters: {
        ComputeInstanceType: {
          Type: "String",
          Default: "small",
          AllowedValues: ["small", "medium", "other"],
        },
        ComputeInstanceTypeOther: {
          Type: "String",
          Default: "m7i.large-2C-8GB",
          AllowedValues: LABELS,
        },
        ...(options.typesParameter
          ? { ComputeInstanceTypes: { Type: "String", Default: "" } }
          : {}),
      },
      Mappings: {
        InstancePresets: {
          small: { InstanceType: "t3.medium", Label: "t3.medium-2C-4GB" },
          medium: { InstanceType: "m7i.xlarge", Label: "m7i.xlarge-4C-16GB" },
          other: { InstanceType: "other", Label: "other" },
        },
      },
      Resources: { Thing: { Type: "AWS::SNS::Topic" } },
    }),
  );
}

const withList = templateWith({ typesParameter: true });
const withoutList = templateWith({ typesParameter: false });

describe("compute instance types", () => {
  it("reads the template's table from its labels and preset labels", () => {
    const table = instanceTable(withList);
    expect(table.get("r4.large")).to.deep.equal({
      type: "r4.large",
      label: "r4.large-2C-15.25GB",
      vcpus: 2,
      memoryGiB: 15.25,
    });
    expect(table.get("t3.medium")?.label).to.equal("t3.medium-2C-4GB");
    expect(table.has("other")).to.equal(false);
  });

  it("defaults to the chosen type, then types of its vCPUs with at least its memory, newest first among equals", () => {
    const table = instanceTable(withList);
    const chosen = (type: string) => {
      const entry = table.get(type);
      if (entry === undefined) throw new Error(type);
      return defaultComputeTypes(entry, table).map((e) => e.type);
    };
    expect(chosen("m7i.large")).to.deep.equal(["m7i.large", "m6i.large", "m5.large", "r4.large"]);
    // Burstable types are a choice of the user's, never an alternative.
    expect(chosen("t3.medium")).to.deep.equal(["t3.medium", "c7i.large", "c6i.large", "c5.large"]);
    expect(chosen("c7i.xlarge")).to.deep.equal(["c7i.xlarge", "m7i.xlarge"]);
    // HPC families run one thread per core: never mixed with two-thread types.
    expect(chosen("hpc7a.12xlarge")).to.deep.equal(["hpc7a.12xlarge"]);
  });

  it("narrows the defaults to the types the admin allows, keeping the chosen one first", () => {
    const table = instanceTable(withList);
    const entry = table.get("m7i.large");
    if (entry === undefined) throw new Error("m7i.large");
    const allowed = (type: string) => /^(m7i|r4|c7i)\./.test(type);
    expect(defaultComputeTypes(entry, table, allowed).map((e) => e.type)).to.deep.equal([
      "m7i.large",
      "r4.large",
    ]);
  });

  it("gives every default set one shape, the chosen type's, and never more than the limit", () => {
    const table = instanceTable(withList);
    fc.assert(
      fc.property(fc.constantFrom(...table.values()), (primary) => {
        const set = defaultComputeTypes(primary, table);
        expect(set[0]).to.equal(primary);
        expect(set.length).to.be.within(1, MAX_COMPUTE_TYPES);
        for (const entry of set) {
          expect(entry.vcpus).to.equal(primary.vcpus);
          expect(threadsPerCore(entry.type)).to.equal(threadsPerCore(primary.type));
          expect(entry.memoryGiB).to.be.at.least(primary.memoryGiB);
        }
      }),
    );
  });

  it("returns the listed types of a merged cluster, labels or bare types", () => {
    expect(
      computeInstanceTypes({ ComputeInstanceTypes: "c7i.large-2C-4GB,c6i.large-2C-4GB" }, withList),
    ).to.deep.equal(["c7i.large", "c6i.large"]);
    expect(
      computeInstanceTypes({ ComputeInstanceTypes: "c7i.large, m7i.large" }, withList),
    ).to.deep.equal(["c7i.large", "m7i.large"]);
  });

  it("returns the defaults for the chosen type when nothing is listed, from the template's defaults too", () => {
    expect(
      computeInstanceTypes(
        { ComputeInstanceType: "other", ComputeInstanceTypeOther: "c7i.xlarge-4C-8GB" },
        withList,
      ),
    ).to.deep.equal(["c7i.xlarge", "m7i.xlarge"]);
    // Nothing given: the template's default preset, small (t3.medium).
    expect(computeInstanceTypes({}, withList)).to.deep.equal([
      "t3.medium",
      "c7i.large",
      "c6i.large",
      "c5.large",
    ]);
  });

  it("returns the one chosen type for a template without a types list", () => {
    expect(computeInstanceTypes({ ComputeInstanceType: "medium" }, withoutList)).to.deep.equal([
      "m7i.xlarge",
    ]);
    const seed = rightOf(decodeTemplate(fixtureJson("templates/seed-like.json")));
    expect(
      computeInstanceTypes(
        { ComputeInstanceType: "other", ComputeInstanceTypeOther: "r4.large-2C-15.25GB" },
        seed,
      ),
    ).to.deep.equal(["r4.large"]);
    expect(computeInstanceTypes({ ComputeInstanceType: "nonsense" }, withoutList)).to.deep.equal(
      [],
    );
  });

  it("names the largest type: most vCPUs, then most memory, the first among equals", () => {
    const largest = (list: string) =>
      largestComputeInstanceType({ ComputeInstanceTypes: list }, withList);
    expect(largest("c7i.large,m7i.large,r7i.large")).to.equal("r7i.large");
    expect(largest("c7i.large,c7i.xlarge")).to.equal("c7i.xlarge");
    expect(largest("c6i.large,c7i.large")).to.equal("c6i.large");
    expect(largestComputeInstanceType({ ComputeInstanceType: "nonsense" }, withoutList)).to.equal(
      undefined,
    );
  });

  describe("as the merge settles them", () => {
    const settle = (listed: string | undefined, choiceFromConfig = false) =>
      settleComputeTypes({
        template: withList,
        listed,
        choice: "other",
        other: "m7i.large-2C-8GB",
        choiceFromConfig,
        allowed: () => true,
      });
    const errors = (result: ReturnType<typeof settle>) => (result.ok ? [] : result.errors);

    it("takes a list of one shape, in the user's order", () => {
      const result = settle("r7i.large,m7i.large");
      expect(result.ok && result.entries.map((e) => e.label)).to.deep.equal([
        "r7i.large-2C-16GB",
        "m7i.large-2C-8GB",
      ]);
    });

    it("refuses a type the template does not offer, naming it", () => {
      expect(errors(settle("m7i.large,x9.large"))).to.deep.equal([
        'ComputeInstanceTypes: "x9.large" is not an instance type this cluster template offers; choose types from its ComputeInstanceTypeOther list, such as "c7i.large".',
      ]);
    });

    it("refuses types of different shapes", () => {
      expect(errors(settle("m7i.large,c7i.xlarge"))[0]).to.match(
        /m7i\.large has 1 cores \(2 vCPUs\) and c7i\.xlarge 2 \(4 vCPUs\); every compute type must have the same cores and vCPUs/,
      );
      // 24 cores each, but one thread per core against two: 24 vCPUs against 48.
      expect(errors(settle("c7i.12xlarge,hpc7a.12xlarge"))).to.have.length(1);
    });

    it("refuses a list that leaves out the type the user chose themselves", () => {
      expect(errors(settle("r7i.large", true))).to.deep.equal([
        "ComputeInstanceType selects m7i.large, which ComputeInstanceTypes does not list; add it to the list, or leave ComputeInstanceType out.",
      ]);
      expect(errors(settle("r7i.large", false))).to.deep.equal([]);
    });

    it("refuses more types than a group takes, and a type twice", () => {
      expect(errors(settle("c5.large,c6i.large,c7i.large,m5.large,m6i.large"))).to.include(
        "ComputeInstanceTypes lists 5 types; a compute group takes at most 4.",
      );
      expect(errors(settle("c7i.large,c7i.large-2C-4GB"))).to.deep.equal([
        "ComputeInstanceTypes names c7i.large more than once.",
      ]);
    });
  });
});
