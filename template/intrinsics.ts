/*
 * CloudFormation intrinsic functions and small document builders the
 * template's modules share, so each resource reads close to the JSON it
 * becomes.
 */

/** `{"Ref": name}`: a parameter, resource or pseudo parameter. */
export const ref = (name: string) => ({ Ref: name });

/** `{"Fn::Sub": text}`. */
export const sub = (text: string) => ({ "Fn::Sub": text });

/** `{"Fn::GetAtt": [resource, attribute]}`. */
export const getAtt = (resource: string, attribute: string) => ({
  "Fn::GetAtt": [resource, attribute],
});

/** `{"Fn::If": [condition, whenTrue, whenFalse]}`. */
export const ifCondition = (condition: string, whenTrue: unknown, whenFalse: unknown) => ({
  "Fn::If": [condition, whenTrue, whenFalse],
});

/** `AWS::NoValue`: drops the property it is the value of. */
export const noValue = ref("AWS::NoValue");

/** A `Name` tag `<ClusterName>-<suffix>`, so the console shows whose cluster a resource is. */
export const nameTag = (suffix: string) => [
  { Key: "Name", Value: sub(`\${ClusterName}-${suffix}`) },
];

/** One `Allow` statement of an IAM policy document. */
export function allow(action: string | string[], resource: unknown, condition?: unknown) {
  return {
    Effect: "Allow",
    Action: action,
    Resource: resource,
    ...(condition === undefined ? {} : { Condition: condition }),
  };
}
