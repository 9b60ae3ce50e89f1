import { type Either } from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { decodeReadably } from "./readable-errors.js";

/** CloudFormation's limit on an inline `TemplateBody`; bigger templates need a `TemplateURL`. */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

/** Numbers may be written as JSON numbers or strings in a template. */
const NumberLike = t.union([t.number, t.string]);

/** One entry of a template's `Parameters` section: only the keys FlightDeck checks. */
export const ParameterDeclarationCodec = t.intersection([
  t.type({ Type: t.string }),
  t.partial({
    Default: t.union([t.string, t.number, t.boolean]),
    AllowedValues: t.array(t.union([t.string, t.number])),
    AllowedPattern: t.string,
    MinLength: NumberLike,
    MaxLength: NumberLike,
    MinValue: NumberLike,
    MaxValue: NumberLike,
    ConstraintDescription: t.string,
    Description: t.string,
    NoEcho: t.union([t.boolean, t.string]),
  }),
]);
export type ParameterDeclaration = t.TypeOf<typeof ParameterDeclarationCodec>;

const ResourceCodec = t.intersection([
  t.type({ Type: t.string }),
  t.partial({ Properties: t.UnknownRecord, Condition: t.string }),
]);

/** The parts of a CloudFormation template FlightDeck reads; everything else passes through. */
export const CfnTemplateCodec = t.intersection([
  t.type({ Resources: t.record(t.string, ResourceCodec) }),
  t.partial({
    Parameters: t.record(t.string, ParameterDeclarationCodec),
    Mappings: t.record(t.string, t.record(t.string, t.UnknownRecord)),
    Outputs: t.UnknownRecord,
    Transform: t.unknown,
  }),
]);
export type CfnTemplate = t.TypeOf<typeof CfnTemplateCodec>;

/** Decodes a parsed template JSON, with readable errors for an admin. */
export function decodeTemplate(json: unknown): Either<string[], CfnTemplate> {
  return decodeReadably(CfnTemplateCodec, json);
}

const LIST_TYPES = /^(CommaDelimitedList|List<Number>)$/;
const NUMBER_TYPES = /^(Number|List<Number>)$/;

/**
 * Checks one parameter value against the template's own declaration:
 * `Type` (String, Number and the list types), `AllowedValues`,
 * `AllowedPattern`, `MinLength`/`MaxLength` and `MinValue`/`MaxValue`.
 * AWS-specific types (`AWS::EC2::KeyPair::KeyName`, SSM parameters) can only
 * be checked by CloudFormation and pass here. Messages use the template's
 * `ConstraintDescription` when it has one.
 */
export function checkParameterValue(
  name: string,
  declaration: ParameterDeclaration,
  value: string,
): string[] {
  if (declaration.Type.startsWith("AWS::")) return [];
  const items = LIST_TYPES.test(declaration.Type) ? value.split(",") : [value];
  const problems = items.flatMap((item) => itemProblems(declaration, item));
  if (problems.length === 0) return [];
  const got = `(got ${JSON.stringify(value)})`;
  if (declaration.ConstraintDescription !== undefined) {
    return [`${name}: ${declaration.ConstraintDescription} ${got}.`];
  }
  return [`${name} ${[...new Set(problems)].join(" and ")} ${got}.`];
}

function itemProblems(declaration: ParameterDeclaration, item: string): string[] {
  const problems: string[] = [];
  const { AllowedValues, AllowedPattern, MinLength, MaxLength, MinValue, MaxValue } = declaration;
  if (NUMBER_TYPES.test(declaration.Type)) {
    const number = Number(item);
    if (item.trim() === "" || !Number.isFinite(number)) {
      problems.push("must be a number");
    } else {
      if (MinValue !== undefined && number < Number(MinValue))
        problems.push(`must be at least ${MinValue}`);
      if (MaxValue !== undefined && number > Number(MaxValue))
        problems.push(`must be at most ${MaxValue}`);
    }
  }
  if (AllowedValues !== undefined && !AllowedValues.map(String).includes(item)) {
    const shown =
      AllowedValues.length <= 12
        ? `: ${AllowedValues.join(", ")}`
        : ` (${AllowedValues.length} choices; see the template)`;
    problems.push(`must be one of the allowed values${shown}`);
  }
  if (AllowedPattern !== undefined && !fullMatch(AllowedPattern, item)) {
    problems.push(`must match the pattern ${AllowedPattern}`);
  }
  if (MinLength !== undefined && item.length < Number(MinLength)) {
    problems.push(`must be at least ${MinLength} characters long`);
  }
  if (MaxLength !== undefined && item.length > Number(MaxLength)) {
    problems.push(`must be at most ${MaxLength} characters long`);
  }
  return problems;
}

/** CloudFormation matches `AllowedPattern` against the whole value. */
function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, "u").test(value);
  } catch {
    return false;
  }
}

const IAM_TYPES = new Set([
  "AWS::IAM::Role",
  "AWS::IAM::InstanceProfile",
  "AWS::IAM::Policy",
  "AWS::IAM::ManagedPolicy",
  "AWS::IAM::User",
  "AWS::IAM::Group",
  "AWS::IAM::AccessKey",
  "AWS::IAM::UserToGroupAddition",
]);
const IAM_NAME_PROPERTIES = [
  "RoleName",
  "InstanceProfileName",
  "ManagedPolicyName",
  "UserName",
  "GroupName",
];

export type Capability = "CAPABILITY_IAM" | "CAPABILITY_NAMED_IAM" | "CAPABILITY_AUTO_EXPAND";

/**
 * The capabilities `CreateStack` must acknowledge for this template: IAM
 * resources need `CAPABILITY_IAM`, named ones `CAPABILITY_NAMED_IAM`, and a
 * `Transform` needs `CAPABILITY_AUTO_EXPAND`.
 */
export function capabilitiesFor(template: CfnTemplate): Capability[] {
  const capabilities: Capability[] = [];
  const iam = Object.values(template.Resources).filter((r) => IAM_TYPES.has(r.Type));
  const named = iam.some((r) => IAM_NAME_PROPERTIES.some((p) => r.Properties?.[p] !== undefined));
  if (named) capabilities.push("CAPABILITY_NAMED_IAM");
  else if (iam.length > 0) capabilities.push("CAPABILITY_IAM");
  if (template.Transform !== undefined) capabilities.push("CAPABILITY_AUTO_EXPAND");
  return capabilities;
}
