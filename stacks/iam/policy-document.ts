/** A condition block: operator, then context key, then value(s). */
export type PolicyCondition = Readonly<
  Record<string, Readonly<Record<string, string | readonly string[]>>>
>;

/** One IAM statement, in the shape AWS reads. Resources are always listed, never implied. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: readonly string[];
  readonly Resource: readonly string[] | "*";
  readonly Condition?: PolicyCondition;
}

/** A resource policy statement, which also names its principal. */
export interface ResourcePolicyStatement extends PolicyStatement {
  readonly Principal: "*" | Readonly<Record<string, string | readonly string[]>>;
}

/** An IAM policy document. */
export interface PolicyDocument<S extends PolicyStatement = PolicyStatement> {
  readonly Version: "2012-10-17";
  readonly Statement: readonly S[];
}

/** Wraps statements in a policy document. */
export function policyDocument<S extends PolicyStatement>(
  statements: readonly S[],
): PolicyDocument<S> {
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * Escapes a string for Terraform's JSON syntax, where `${…}` and `%{…}` are
 * template sequences: IAM's own `${aws:username}` must reach AWS unchanged.
 * cdktf's own tokens (`${TfToken[…]}`) are left alone, so references to
 * other resources still resolve.
 */
export function escapeTerraformTemplate(text: string): string {
  // Replacer functions: in a replacement string, "$$" would mean one "$".
  return text.replace(/\$\{(?!TfToken\[)/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** A policy document as the JSON string a Terraform `policy` argument takes. */
export function policyJson(document: PolicyDocument<PolicyStatement>): string {
  return escapeTerraformTemplate(JSON.stringify(document));
}

/**
 * A trust policy letting one AWS service assume a role. Trust statements name
 * no resource. With `sourceAccount`, the service may assume it only on behalf
 * of that account (`aws:SourceAccount`), which stops a confused deputy: the
 * service acting for another account that names this role.
 */
export function serviceTrustPolicy(service: string, sourceAccount?: string): string {
  return escapeTerraformTemplate(
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "TrustedService",
          Effect: "Allow",
          Principal: { Service: service },
          Action: "sts:AssumeRole",
          ...(sourceAccount === undefined
            ? {}
            : { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } }),
        },
      ],
    }),
  );
}
