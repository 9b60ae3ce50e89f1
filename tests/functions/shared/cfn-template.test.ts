import { expect } from "chai";
import {
  capabilitiesFor,
  checkParameterValue,
  decodeTemplate,
  type ParameterDeclaration,
} from "../../../functions/shared/cfn-template.js";
import { leftOf, rightOf } from "../../support/either.js";

const check = (declaration: ParameterDeclaration, value: string) =>
  checkParameterValue("P", declaration, value);

describe("CloudFormation parameter constraints", () => {
  it("checks Number types and their bounds", () => {
    const n: ParameterDeclaration = { Type: "Number", MinValue: "1", MaxValue: 10 };
    expect(check(n, "5")).to.deep.equal([]);
    expect(check(n, "2.5")).to.deep.equal([]);
    expect(check(n, "0")).to.deep.equal(['P must be at least 1 (got "0").']);
    expect(check(n, "11")).to.deep.equal(['P must be at most 10 (got "11").']);
    expect(check(n, "ten")).to.deep.equal(['P must be a number (got "ten").']);
    expect(check(n, "")).to.deep.equal(['P must be a number (got "").']);
  });

  it("checks AllowedValues, AllowedPattern and lengths of strings", () => {
    expect(check({ Type: "String", AllowedValues: ["a", "b"] }, "c")).to.deep.equal([
      'P must be one of the allowed values: a, b (got "c").',
    ]);
    expect(check({ Type: "String", AllowedPattern: "[0-9]+" }, "12")).to.deep.equal([]);
    expect(check({ Type: "String", AllowedPattern: "[0-9]+" }, "12a")).to.deep.equal([
      'P must match the pattern [0-9]+ (got "12a").',
    ]);
    expect(check({ Type: "String", MinLength: 2, MaxLength: "3" }, "a")).to.deep.equal([
      'P must be at least 2 characters long (got "a").',
    ]);
    expect(check({ Type: "String", MaxLength: 3 }, "abcd")).to.deep.equal([
      'P must be at most 3 characters long (got "abcd").',
    ]);
  });

  it("matches AllowedPattern against the whole value, as CloudFormation does", () => {
    expect(check({ Type: "String", AllowedPattern: "a|b" }, "ab")).to.have.length(1);
  });

  it("prefers the template's ConstraintDescription", () => {
    expect(
      check({ Type: "Number", MaxValue: 3, ConstraintDescription: "use at most 3 nodes" }, "4"),
    ).to.deep.equal(['P: use at most 3 nodes (got "4").']);
  });

  it("checks each element of a list type", () => {
    const list: ParameterDeclaration = { Type: "CommaDelimitedList", AllowedValues: ["a", "b"] };
    expect(check(list, "a,b")).to.deep.equal([]);
    expect(check(list, "a,c")).to.have.length(1);
    expect(check({ Type: "List<Number>" }, "1,x")).to.deep.equal([
      'P must be a number (got "1,x").',
    ]);
  });

  it("leaves AWS-specific types to CloudFormation", () => {
    expect(check({ Type: "AWS::EC2::KeyPair::KeyName" }, "")).to.deep.equal([]);
  });

  it("treats an invalid AllowedPattern as a failed match rather than crashing", () => {
    expect(check({ Type: "String", AllowedPattern: "(" }, "x")).to.have.length(1);
  });

  it("decodes templates and explains what is wrong with a broken one", () => {
    rightOf(decodeTemplate({ Resources: {}, Parameters: { A: { Type: "String", Default: 3 } } }));
    const errors = leftOf(decodeTemplate({ Parameters: { A: { Default: "x" } } }));
    expect(errors.join("\n")).to.contain("Resources");
    expect(errors.join("\n")).to.contain("Parameters.A.Type");
  });

  it("derives capabilities from IAM resources and transforms", () => {
    expect(capabilitiesFor({ Resources: {} })).to.deep.equal([]);
    expect(
      capabilitiesFor({ Resources: { P: { Type: "AWS::IAM::InstanceProfile" } } }),
    ).to.deep.equal(["CAPABILITY_IAM"]);
    expect(
      capabilitiesFor({
        Resources: { R: { Type: "AWS::IAM::Role", Properties: { RoleName: "x" } } },
        Transform: "AWS::Serverless-2016-10-31",
      }),
    ).to.deep.equal(["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]);
  });
});
