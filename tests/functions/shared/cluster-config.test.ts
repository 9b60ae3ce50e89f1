import { expect } from "chai";
import fc from "fast-check";
import {
  decodeConfig,
  MAX_CONFIG_BYTES,
  parseClusterConfig,
} from "../../../functions/shared/cluster-config.js";
import {
  CLUSTER_CONFIG_FIELDS,
  instanceTypeOfLabel,
  RESERVED_PARAMETERS,
} from "../../../functions/shared/config-fields.js";
import { leftOf, rightOf } from "../../support/either.js";
import { fixtureBytes } from "../../support/fixtures.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("cluster config codec", () => {
  it("decodes the seed's example file exactly as given", () => {
    const config = rightOf(parseClusterConfig(fixtureBytes("configs/seed-example.json")));
    expect(config).to.deep.equal({
      ComputeInstanceType: "other",
      ComputeSpotPrice: "0.03",
      ComputeInstanceTypeOther: "r4.large-2C-15.25GB",
      MasterSystemVolumeSize: "16",
      MasterInstanceType: "other",
      ComputeMaxNodes: "25",
      MasterInstanceTypeOther: "r4.large-2C-15.25GB",
      ComputeInitialNodes: "0",
      AutoscalingPolicy: "enabled",
    });
  });

  it("treats an empty file, whitespace and {} as all defaults", () => {
    expect(rightOf(parseClusterConfig(bytes("")))).to.deep.equal({});
    expect(rightOf(parseClusterConfig(bytes(" \n\t")))).to.deep.equal({});
    expect(rightOf(parseClusterConfig(bytes("{}")))).to.deep.equal({});
  });

  it("normalises JSON numbers and booleans to CloudFormation's strings", () => {
    const config = rightOf(
      decodeConfig({
        ComputeMaxNodes: 25,
        ComputeInitialNodes: 0,
        ComputeSpotPrice: 0.03,
        AutoscalingPolicy: false,
      }),
    );
    expect(config).to.deep.equal({
      ComputeMaxNodes: "25",
      ComputeInitialNodes: "0",
      ComputeSpotPrice: "0.03",
      AutoscalingPolicy: "disabled",
    });
    expect(rightOf(decodeConfig({ AutoscalingPolicy: true })).AutoscalingPolicy).to.equal(
      "enabled",
    );
    expect(rightOf(decodeConfig({ ComputeSpotPrice: "0.00" })).ComputeSpotPrice).to.equal("0");
  });

  it("accepts a byte-order mark before the JSON", () => {
    expect(rightOf(parseClusterConfig(bytes('\uFEFF{"ComputeMaxNodes":"2"}')))).to.deep.equal({
      ComputeMaxNodes: "2",
    });
  });

  it("rejects unknown keys with a message listing the allowed keys", () => {
    const errors = leftOf(decodeConfig({ ComputeMaxNode: "4" }));
    expect(errors).to.have.length(1);
    expect(errors[0]).to.contain('"ComputeMaxNode" is not a cluster setting');
    for (const field of CLUSTER_CONFIG_FIELDS) expect(errors[0]).to.contain(field);
  });

  for (const reserved of RESERVED_PARAMETERS) {
    it(`rejects a config that overrides ${reserved}`, () => {
      const errors = leftOf(decodeConfig({ [reserved]: "bob" }));
      expect(errors).to.deep.equal([
        `${reserved} is set by FlightDeck itself and cannot be changed in a cluster config.`,
      ]);
    });
  }

  it("rejects __proto__ and constructor keys without touching any prototype", () => {
    const errors = leftOf(
      parseClusterConfig(bytes('{"__proto__": {"polluted": 1}, "constructor": "x"}')),
    );
    expect(errors).to.have.length(2);
    expect(({} as Record<string, unknown>)["polluted"]).to.equal(undefined);
  });

  it("rejects non-object JSON", () => {
    for (const text of ["[]", "42", '"x"', "null", "true"]) {
      expect(leftOf(parseClusterConfig(bytes(text)))[0]).to.match(/must be a JSON object/);
    }
  });

  it("rejects invalid JSON with the parser's reason", () => {
    const errors = leftOf(parseClusterConfig(bytes('{"ComputeMaxNodes": 4,}')));
    expect(errors[0]).to.match(/^The config file is not valid JSON: /);
  });

  it("rejects a file over 16 KiB without parsing it", () => {
    const big = bytes(`{"ComputeMaxNodes":"4"}${" ".repeat(MAX_CONFIG_BYTES)}`);
    expect(leftOf(parseClusterConfig(big))[0]).to.contain("the limit is 16384 bytes");
    const justFits = bytes(`{"ComputeMaxNodes":"4"}`.padEnd(MAX_CONFIG_BYTES, " "));
    expect(rightOf(parseClusterConfig(justFits))).to.deep.equal({ ComputeMaxNodes: "4" });
  });

  it("rejects text that is not UTF-8", () => {
    expect(leftOf(parseClusterConfig(new Uint8Array([0x7b, 0xff, 0x7d])))[0]).to.contain(
      "not UTF-8",
    );
  });

  const outOfRange: Array<[string, unknown, RegExp]> = [
    ["ComputeMaxNodes", "-1", /ComputeMaxNodes must be a whole number from 1 to 1000 \(got "-1"\)/],
    ["ComputeMaxNodes", "0", /ComputeMaxNodes must be a whole number from 1/],
    ["ComputeMaxNodes", 2.5, /ComputeMaxNodes must be a whole number/],
    ["ComputeMaxNodes", "1e3", /ComputeMaxNodes must be a whole number/],
    ["ComputeInitialNodes", "1001", /ComputeInitialNodes must be a whole number from 0 to 1000/],
    ["ComputeSpotPrice", "cheap", /ComputeSpotPrice must be a price in USD per hour/],
    ["ComputeSpotPrice", "-0.5", /ComputeSpotPrice must be a price/],
    ["ComputeSpotPrice", "0.0005", /above 0.001/],
    [
      "MasterSystemVolumeSize",
      "4",
      /MasterSystemVolumeSize must be a size in GiB, a whole number from 8 to 16384/,
    ],
    ["AutoscalingPolicy", "on", /AutoscalingPolicy must be "enabled" or "disabled"/],
    ["ComputeInstanceTypeOther", "r4.large", /ComputeInstanceTypeOther must be an instance label/],
    ["MasterInstanceType", "", /MasterInstanceType must be an instance preset name or "other"/],
    ["ComputeMaxNodes", null, /ComputeMaxNodes must be a whole number/],
  ];
  for (const [field, value, message] of outOfRange) {
    it(`rejects ${field} = ${JSON.stringify(value)}, naming the field`, () => {
      const errors = leftOf(decodeConfig({ [field]: value }));
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(message);
    });
  }

  it("rejects more initial nodes than the maximum", () => {
    expect(leftOf(decodeConfig({ ComputeInitialNodes: "5", ComputeMaxNodes: "4" }))).to.deep.equal([
      "ComputeInitialNodes (5) must not be larger than ComputeMaxNodes (4).",
    ]);
  });

  it("reports every error at once", () => {
    const errors = leftOf(
      decodeConfig({ ComputeMaxNodes: "x", ComputeSpotPrice: "y", AutoscalingPolicy: 3 }),
    );
    expect(errors).to.have.length(3);
  });

  it("never prints a raw io-ts dump", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...CLUSTER_CONFIG_FIELDS), fc.anything()),
        (input) => {
          const result = decodeConfig(input);
          if (result._tag === "Right") return;
          for (const message of result.left) {
            expect(message).not.to.match(/Invalid value|supplied to/);
            expect(message).to.match(
              /^(Compute|Master|Autoscaling|Idle|Spot)\w+ must be .* \(got .*\)\.$/s,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("finds the instance type inside a label", () => {
    expect(instanceTypeOfLabel("r4.large-2C-15.25GB")).to.equal("r4.large");
    expect(instanceTypeOfLabel("c7i.metal-24xl-96C-192GB")).to.equal("c7i.metal-24xl");
    expect(instanceTypeOfLabel("u-6tb1.metal-448C-6144GB")).to.equal("u-6tb1.metal");
    expect(instanceTypeOfLabel("r4.large")).to.equal(undefined);
  });
});
