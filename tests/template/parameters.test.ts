import { expect } from "chai";
import fc from "fast-check";
import {
  CLUSTER_CONFIG_FIELDS,
  FIELD_RULES,
  instanceTypeOfLabel,
} from "../../functions/shared/config-fields.js";
import { OTHER_CHOICE } from "../../template/instance-types.js";
import {
  chooseBranches,
  codecValue,
  declaration,
  decoded,
  evaluateCondition,
  parameters,
  parameterValues,
  properties,
  resources,
  section,
  template,
  templateAccepts,
  type JsonObject,
} from "./cluster-template-support.js";

/*
 * The template's parameters (template/parameters.ts) agree with the config
 * codec: the same fields, the same bounds, the same spot prices.
 */

describe("the default template's parameters", () => {
  it("declares every codec field, each with a ConstraintDescription", () => {
    for (const field of CLUSTER_CONFIG_FIELDS) {
      expect(parameters, field).to.have.property(field);
      expect(declaration(field).ConstraintDescription, field).to.be.a("string");
    }
  });

  it("gives every constrained parameter a ConstraintDescription", () => {
    for (const [name, value] of Object.entries(decoded().Parameters ?? {})) {
      const constrained =
        value.AllowedPattern ?? value.AllowedValues ?? value.MinValue ?? value.MaxValue;
      if (constrained !== undefined) expect(value.ConstraintDescription, name).to.be.a("string");
    }
  });

  for (const field of [
    "ComputeInitialNodes",
    "ComputeMaxNodes",
    "MasterSystemVolumeSize",
  ] as const) {
    it(`bounds ${field} exactly as the codec does`, () => {
      const { min, max } = FIELD_RULES[field];
      expect(Number(declaration(field).MinValue)).to.equal(min);
      expect(Number(declaration(field).MaxValue)).to.equal(max);
      for (const edge of [min, max]) {
        expect(codecValue(field, String(edge)), `codec ${edge}`).to.equal(String(edge));
        expect(templateAccepts(field, String(edge)), `template ${edge}`).to.equal(true);
      }
      for (const outside of [min - 1, max + 1]) {
        expect(codecValue(field, String(outside)), `codec ${outside}`).to.equal(undefined);
        expect(templateAccepts(field, String(outside)), `template ${outside}`).to.equal(false);
      }
    });
  }

  it("allows exactly the codec's AutoscalingPolicy values", () => {
    expect(declaration("AutoscalingPolicy").AllowedValues).to.deep.equal([
      ...FIELD_RULES.AutoscalingPolicy.values,
    ]);
  });

  const priceEdges = [
    ["0", true],
    ["0.0", true],
    ["0.00000", true],
    ["0.000000", false],
    ["0.0005", false],
    ["0.001", false],
    ["0.0010", false],
    ["0.00100", false],
    ["0.00101", true],
    ["0.0011", true],
    ["0.002", true],
    ["0.03", true],
    ["999.99999", true],
    ["1000", true],
    ["1000.00000", true],
    ["1000.00001", false],
    ["1001", false],
    ["01", false],
    ["-1", false],
    ["1e3", false],
    [".5", false],
    ["", false],
  ] as const;
  for (const [price, accepted] of priceEdges) {
    it(`${accepted ? "accepts" : "refuses"} spot price ${JSON.stringify(price)} in both codec and template`, () => {
      expect(codecValue("ComputeSpotPrice", price) !== undefined, "codec").to.equal(accepted);
      expect(templateAccepts("ComputeSpotPrice", price), "template").to.equal(accepted);
    });
  }

  it("accepts a spot price in the template exactly when the codec accepts it", () => {
    const candidates = fc.oneof(
      fc.stringMatching(/^[0-9]{1,4}(\.[0-9]{0,6})?$/),
      fc.double({ min: 0, max: 1100, noNaN: true }).map((n) => n.toFixed(5)),
      fc.integer({ min: 0, max: 1100 }).map(String),
    );
    fc.assert(
      fc.property(candidates, (price) => {
        const codec = codecValue("ComputeSpotPrice", price);
        expect(templateAccepts("ComputeSpotPrice", price), price).to.equal(codec !== undefined);
      }),
      { numRuns: 2000 },
    );
  });

  it("offers only presets and other the codec accepts as instance choices", () => {
    for (const role of ["Compute", "Master"]) {
      const allowed = declaration(`${role}InstanceType`).AllowedValues ?? [];
      expect(allowed).to.include(OTHER_CHOICE);
      for (const choice of allowed)
        expect(codecValue(`${role}InstanceType`, choice)).to.equal(choice);
    }
  });

  it("offers only instance labels the codec accepts and instanceTypeOfLabel parses", () => {
    for (const role of ["Compute", "Master"]) {
      const labels = (declaration(`${role}InstanceTypeOther`).AllowedValues ?? []).map(String);
      expect(labels.length).to.be.greaterThan(50);
      expect(labels).to.include("r4.large-2C-15.25GB");
      for (const label of labels) {
        expect(codecValue(`${role}InstanceTypeOther`, label), label).to.equal(label);
        // The template takes the type with Fn::Select [0, Fn::Split ["-", label]].
        expect(instanceTypeOfLabel(label), label).to.equal(label.split("-")[0]);
      }
    }
  });

  it("refuses in the template what the shell header could not quote", () => {
    // These parameters are written inside single quotes in the nodes' boot.env.
    const quoted = [
      "AccessUsername",
      "FlightProfiles",
      "ClusterName",
      "CustomizerBucket",
      "CustomizerPrefix",
      "ComputeInstanceTypes",
    ];
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.constantFrom(...quoted), (before, after, name) => {
        expect(templateAccepts(name, `${before}'${after}`)).to.equal(false);
        expect(templateAccepts(name, `${before}\n${after}`)).to.equal(false);
      }),
    );
  });

  it("uses spot exactly when the price is not zero, in the group's instances distribution", () => {
    const spot = (price: string) =>
      evaluateCondition(template, "UseSpot", { ComputeSpotPrice: price });
    for (const zero of ["0", "0.0", "0.00", "0.000", "0.0000", "0.00000"])
      expect(spot(zero), zero).to.equal(false);
    for (const price of ["0.03", "0.0011", "1000"]) expect(spot(price), price).to.equal(true);
    const data = ((resources["ComputeLaunchTemplate"] as JsonObject)["Properties"] as JsonObject)[
      "LaunchTemplateData"
    ] as JsonObject;
    // A mixed instances policy refuses a launch template that asks for spot.
    expect(data["InstanceMarketOptions"]).to.equal(undefined);
    const policy = (name: string) =>
      ((resources[name] as JsonObject)["Properties"] as JsonObject)[
        "MixedInstancesPolicy"
      ] as JsonObject;
    expect(policy("ComputeGroup")["InstancesDistribution"]).to.deep.equal({
      OnDemandAllocationStrategy: "lowest-price",
      OnDemandBaseCapacity: 0,
      OnDemandPercentageAboveBaseCapacity: { "Fn::If": ["UseSpot", 0, 100] },
      SpotAllocationStrategy: "price-capacity-optimized",
      SpotMaxPrice: { "Fn::If": ["UseSpot", { Ref: "ComputeSpotPrice" }, { Ref: "AWS::NoValue" }] },
    });
    expect(policy("ComputeOnDemandGroup")["InstancesDistribution"]).to.deep.include({
      OnDemandPercentageAboveBaseCapacity: 100,
    });
  });

  it("has an on-demand fallback group only for spot clusters whose limits allow on-demand, unless spot only", () => {
    const fallback = (values: Record<string, string>) =>
      evaluateCondition(template, "UseOnDemandFallback", values);
    const spot = { ComputeSpotPrice: "0.05", ComputeOnDemandAllowed: "true" };
    expect(fallback(spot)).to.equal(true);
    expect(fallback({ ...spot, ComputeOnDemandAllowed: "false" })).to.equal(false);
    expect(fallback({ ...spot, SpotFallbackMinutes: "0" })).to.equal(false);
    expect(fallback({ ...spot, ComputeSpotPrice: "0" })).to.equal(false);
    expect((resources["ComputeOnDemandGroup"] as JsonObject)["Condition"]).to.equal(
      "UseOnDemandFallback",
    );
  });

  it("gives the compute groups one override per listed type, or the chosen type alone", () => {
    const overrides = (values: Record<string, string>) => {
      const policy = properties("ComputeGroup")["MixedInstancesPolicy"] as JsonObject;
      const launch = policy["LaunchTemplate"] as JsonObject;
      const chosen = chooseBranches(
        template,
        launch["Overrides"] ?? null,
        Object.keys(section(template, "Conditions")),
        parameterValues(template, values),
      );
      return JSON.stringify(chosen);
    };
    const two = overrides({ ComputeInstanceTypes: "c7i.large-2C-4GB,m7i.large-2C-8GB" });
    expect((two.match(/"InstanceType":/g) ?? []).length).to.equal(2);
    const four = overrides({
      ComputeInstanceTypes: "c5.large-2C-4GB,c6i.large-2C-4GB,c7i.large-2C-4GB,m7i.large-2C-8GB",
    });
    expect((four.match(/"InstanceType":/g) ?? []).length).to.equal(4);
    expect(overrides({})).to.include("InstancePresets");
    for (const [count, list] of [
      [1, "c7i.large-2C-4GB"],
      [3, "c7i.large-2C-4GB,c6i.large-2C-4GB,c5.large-2C-4GB"],
    ] as const) {
      expect(
        evaluateCondition(template, "HasComputeTypes", { ComputeInstanceTypes: list }),
      ).to.equal(true);
      for (let slot = 1; slot < 4; slot += 1) {
        expect(
          evaluateCondition(template, `HasComputeType${slot}`, { ComputeInstanceTypes: list }),
          `${list} slot ${slot}`,
        ).to.equal(slot < count);
      }
    }
  });

  it("accepts in ComputeInstanceTypes the labels the merge sends, up to the codec's most", () => {
    const labels = (declaration("ComputeInstanceTypeOther").AllowedValues ?? []).map(String);
    fc.assert(
      fc.property(fc.subarray(labels, { minLength: 0, maxLength: 6 }), (chosen) => {
        expect(
          templateAccepts("ComputeInstanceTypes", chosen.join(",")),
          chosen.join(","),
        ).to.equal(chosen.length <= FIELD_RULES.ComputeInstanceTypes.max);
      }),
    );
    expect(templateAccepts("ComputeInstanceTypes", "c7i.large")).to.equal(false);
    expect(templateAccepts("ComputeInstanceTypes", "c7i.large-2C-4GB,")).to.equal(false);
  });

  it("bounds SpotFallbackMinutes exactly as the codec does", () => {
    const { min, max } = FIELD_RULES.SpotFallbackMinutes;
    expect(Number(declaration("SpotFallbackMinutes").MinValue)).to.equal(min);
    expect(Number(declaration("SpotFallbackMinutes").MaxValue)).to.equal(max);
    expect(codecValue("SpotFallbackMinutes", String(max + 1))).to.equal(undefined);
    expect(templateAccepts("SpotFallbackMinutes", String(max + 1))).to.equal(false);
  });
});
