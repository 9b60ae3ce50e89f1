import { QueryError } from "../../query-protocol.js";
import type { ParameterValue } from "../template-resolver.js";

/*
 * A stack's parameter values as CloudFormation settles them at CreateStack:
 * the given value or the declared default; for an
 * `AWS::SSM::Parameter::Value<…>` type, the value of the SSM parameter the
 * value names (CloudFormation refuses the stack when one does not exist);
 * a list for a `List<…>` or `CommaDelimitedList` type, as `Ref` returns it.
 */

/** The one AMI the rehearsal boots (the host's own root file system). */
export const IMAGE_ID = "ami-0f1d2e3c4b5a69788";

/** AWS's public parameters the template may name: every Ubuntu image id resolves to the rehearsal's one image. */
const PUBLIC_IMAGES = /^\/aws\/service\/canonical\/ubuntu\/.*\/ami-id$/;

const SSM_TYPE = /^AWS::SSM::Parameter::Value<(.+)>$/;

const isList = (type: string) => type.startsWith("List<") || type === "CommaDelimitedList";

type Declarations = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/**
 * Every parameter's value, by name; throws CloudFormation's ValidationError
 * for a parameter with no value, or SSM parameters the store does not hold.
 */
export function stackParameters(
  declarations: Declarations,
  given: Readonly<Record<string, string>>,
  store: ReadonlyMap<string, string>,
): Record<string, ParameterValue> {
  const values: Record<string, ParameterValue> = {};
  const missing: string[] = [];
  const unfetched: string[] = [];
  for (const [key, declaration] of Object.entries(declarations)) {
    const value = given[key] ?? (declaration["Default"] as string | undefined);
    if (value === undefined) {
      missing.push(key);
      continue;
    }
    const declared = String(declaration["Type"] ?? "String");
    const ssm = SSM_TYPE.exec(declared);
    let text = value;
    if (ssm !== null) {
      const stored = PUBLIC_IMAGES.test(value) ? IMAGE_ID : store.get(value);
      if (stored === undefined) {
        unfetched.push(value);
        continue;
      }
      text = stored;
    }
    const type = ssm?.[1] ?? declared;
    values[key] = isList(type) ? text.split(",").map((item) => item.trim()) : text;
  }
  if (missing.length > 0) {
    throw new QueryError("ValidationError", `Parameters: [${missing.join(", ")}] must have values`);
  }
  if (unfetched.length > 0) {
    throw new QueryError(
      "ValidationError",
      `Unable to fetch parameters [${unfetched.join(",")}] from parameter store for this account.`,
    );
  }
  return values;
}
