import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { expect } from "chai";
import {
  chooseBranches,
  loadClusterTemplate,
  parameterValues,
  section,
  type Json,
  type JsonObject,
} from "./cluster-template-support.js";

/*
 * Lints the default template offline with npm cfn-lint 1.9.7, on the 2023
 * resource specification from @aws-cdk/cfnspec (its bundled 2019 one lacks
 * the newer properties). It resolves intrinsics for one set of parameter
 * values at a time, so each variant below exercises other branches.
 *
 * One narrow workaround: when an `Fn::If` yields a literal object (not another
 * intrinsic), cfn-lint 1.9.7 walks into it without recording where it is
 * (validator.js, doIntrinsicIf → recursiveDecent pops one path element too
 * many), and then reports every later intrinsic in the template as "not
 * supported here". The template's such `Fn::If`s are on UseSpot (the
 * instances distribution) and on the compute types' override slots
 * (HasComputeTypes…): the test substitutes each by the branch CloudFormation
 * would take first, so cfn-lint still checks what it yields.
 *
 * cfn-lint 1.9.7 knows no `AWS::SSM::Parameter::Value<…>` type, so the
 * parameters of that type without a default (the shared network and the
 * owner's home) are given the values CloudFormation would resolve them to.
 */

interface LintRecord {
  message: string;
  resource: string;
}
interface LintResult {
  templateValid: boolean;
  errors: { crit: LintRecord[]; warn: LintRecord[]; info: LintRecord[] };
}

const require = createRequire(import.meta.url);
const awsData = require("cfn-lint/lib/awsData") as { awsResources: unknown };
const cfnLint = require("cfn-lint/lib/api") as {
  validateJsonObject(
    template: unknown,
    options: { parameters: Record<string, string | string[]> },
  ): LintResult;
};

/** Parameters FlightDeck always sets and the template has no default for. */
const SYSTEM_VALUES = {
  AccessUsername: "alice",
  FlightProfiles: "alice",
  ClusterName: "c1",
  CustomizerBucket: "flightdeck-customizer",
  FlightDeckBucket: "flightdeck-users",
  AccessUid: "123456",
};

/** What CloudFormation resolves the SSM-typed system parameters to. */
const RESOLVED_SSM_VALUES = {
  VpcId: "vpc-0123456789abcdef0",
  SubnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
  HomeFileSystem: "fs-0123456789abcdef0",
  HomeSecurityGroup: "sg-0123456789abcdef0",
};

const VARIANTS: Record<string, Record<string, string>> = {
  "the defaults (small presets, on-demand, autoscaling)": {},
  "the seed's example (other labels, spot, autoscaling)": JSON.parse(
    readFileSync(new URL("../fixtures/configs/seed-example.json", import.meta.url), "utf8"),
  ) as Record<string, string>,
  "several compute types, spot with an on-demand fallback": {
    ComputeInstanceTypes: "c7i.large-2C-4GB,c6i.large-2C-4GB,m7i.large-2C-8GB",
    ComputeSpotPrice: "0.05",
    ComputeOnDemandAllowed: "true",
    SpotFallbackMinutes: "10",
  },
  "an HPC preset in a placement group, without autoscaling": {
    ComputeInstanceType: "hpc",
    MasterInstanceType: "medium",
    AutoscalingPolicy: "disabled",
    ComputeInitialNodes: "4",
  },
};

function lint(template: JsonObject, values: Record<string, string>): LintResult {
  const all = { ...SYSTEM_VALUES, ...values };
  const conditions = Object.keys(section(template, "Conditions")).filter(
    (name) => name === "UseSpot" || name.startsWith("HasComputeType"),
  );
  const prepared = chooseBranches(template, template, conditions, parameterValues(template, all));
  return cfnLint.validateJsonObject(structuredClone(prepared), {
    parameters: { ...all, ...RESOLVED_SSM_VALUES },
  });
}

const describeRecords = (records: LintRecord[]) =>
  records.map((record) => `${record.resource}: ${record.message}`);

describe("cfn-lint on the default cluster template", () => {
  let bundledSpecification: unknown;
  before(() => {
    bundledSpecification = awsData.awsResources;
    awsData.awsResources = require("@aws-cdk/cfnspec").specification();
  });
  after(() => {
    awsData.awsResources = bundledSpecification;
  });

  for (const [name, values] of Object.entries(VARIANTS)) {
    it(`finds no errors or warnings for ${name}`, () => {
      const result = lint(loadClusterTemplate(), values);
      expect(describeRecords(result.errors.crit)).to.deep.equal([]);
      expect(describeRecords(result.errors.warn)).to.deep.equal([]);
      expect(result.templateValid).to.equal(true);
    });
  }

  it("does report a broken template (the check is live)", () => {
    const template = loadClusterTemplate();
    const resources = template["Resources"] as JsonObject;
    const group = resources["ComputeGroup"] as JsonObject;
    (group["Properties"] as { [key: string]: Json })["MaxNodes"] = 3;
    (resources["LoginSecurityGroup"] as JsonObject)["Type"] = "AWS::EC2::SecurityGroupp";
    const result = lint(
      template,
      VARIANTS["the seed's example (other labels, spot, autoscaling)"] ?? {},
    );
    const messages = describeRecords(result.errors.crit).join("\n");
    expect(messages).to.match(/MaxNodes/);
    expect(messages).to.match(/SecurityGroupp/);
  });
});
