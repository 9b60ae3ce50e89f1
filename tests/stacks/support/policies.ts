import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { resourcesOf, unescapeTerraform } from "./synth.js";

/** One IAM statement as it appears in a synthesized policy. */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** A policy document from the synthesized stack, with where it came from. */
export interface FoundPolicy {
  readonly kind: "identity" | "resource" | "trust";
  /** The role, policy or bucket it belongs to. */
  readonly owner: string;
  readonly document: { readonly Version: string; readonly Statement: Statement[] };
}

/**
 * A policy as JSON. A Terraform expression with string literals of its own
 * (`${element(split(":", …), 4)}`, filled in at apply) is not JSON until
 * Terraform evaluates it, so it reads as the placeholder `<terraform-expression>`.
 */
const parse = (text: unknown) =>
  JSON.parse(
    unescapeTerraform(
      String(text).replace(/(?<!\$)\$\{[^{}]*"[^{}]*\}/g, "<terraform-expression>"),
    ),
  ) as FoundPolicy["document"];

/** Every policy document in the synthesized stack: identity, trust and resource policies. */
export function policiesIn(synthesized: string): FoundPolicy[] {
  const roles = resourcesOf(synthesized, "aws_iam_role");
  const roleName = (reference: unknown) => {
    const id = /^\$\{aws_iam_role\.([^.]+)\.id\}$/.exec(String(reference))?.[1];
    return String((id === undefined ? undefined : roles[id]?.["name"]) ?? reference);
  };
  return [
    ...Object.values(resourcesOf(synthesized, "aws_iam_policy")).map((p) => ({
      kind: "identity" as const,
      owner: String(p["name"]),
      document: parse(p["policy"]),
    })),
    ...Object.values(resourcesOf(synthesized, "aws_iam_role_policy")).map((p) => ({
      kind: "identity" as const,
      owner: roleName(p["role"]),
      document: parse(p["policy"]),
    })),
    ...Object.values(roles).map((r) => ({
      kind: "trust" as const,
      owner: String(r["name"]),
      document: parse(r["assume_role_policy"]),
    })),
    ...["aws_s3_bucket_policy", "aws_sqs_queue_policy"].flatMap((type) =>
      Object.entries(resourcesOf(synthesized, type)).map(([id, p]) => ({
        kind: "resource" as const,
        owner: id,
        document: parse(p["policy"]),
      })),
    ),
  ];
}

/** The identity policy attached to a role (inline) or named so (managed). */
export function identityPolicy(synthesized: string, owner: string): FoundPolicy["document"] {
  const found = policiesIn(synthesized).filter((p) => p.kind === "identity" && p.owner === owner);
  if (found.length !== 1)
    throw new Error(`Expected one identity policy for ${owner}, found ${found.length}.`);
  return (found[0] as FoundPolicy).document;
}

export const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** A request to simulate against one identity policy. */
export interface Request {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  /** The resource's own policy (a bucket policy), decided together with the identity policy. */
  readonly resourcePolicy?: FoundPolicy["document"];
}

export const ACCOUNT = "123456789012";

/**
 * The decision IAM would make for `request` under `policy` alone:
 * "Allowed", "ImplicitlyDenied" or "ExplicitlyDenied". Throws on a request
 * the simulator finds invalid (an unknown action, a resource of the wrong type).
 */
export async function decide(policy: FoundPolicy["document"], request: Request): Promise<string> {
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: ACCOUNT },
      contextVariables: request.context ?? {},
    },
    identityPolicies: [{ name: "policy", policy }],
    ...(request.resourcePolicy === undefined ? {} : { resourcePolicy: request.resourcePolicy }),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === "error") {
    throw new Error(
      `Invalid simulation of ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`,
    );
  }
  return result.overallResult;
}

/** A decider for requests made as `role` under `policy`: the action, the resource and the request's context. */
export const asRole =
  (role: string, policy: FoundPolicy["document"]) =>
  (action: string, resource: string, context: Record<string, string> = {}) =>
    decide(policy, {
      principal: `arn:aws:iam::${ACCOUNT}:role/${role}`,
      action,
      resource,
      context,
    });

/** A concrete ARN of the type a pattern stands for, so the simulator can tell the type. */
function sampleOf(pattern: string): string {
  return pattern
    .replace(/\$\{[^}]+\}/g, "alice")
    .replace(/^(arn:[^:]+:[^:]+:[^:]*:)\*:/, `$1${ACCOUNT}:`)
    .replace(/\*/g, "x1");
}

/**
 * Fails unless every action of every Allow statement with named resources
 * acts on every one of those resources' types (the simulator refuses a
 * request on a resource type the action does not take).
 */
export async function expectResourcesFit(policy: FoundPolicy): Promise<void> {
  const statements = policy.document.Statement.filter(
    (s) => s.Effect === "Allow" && !asList(s.Resource).includes("*"),
  );
  for (const statement of statements) {
    for (const action of asList(statement.Action)) {
      for (const resource of asList(statement.Resource)) {
        await decide(policy.document, {
          principal: `arn:aws:iam::${ACCOUNT}:role/probe`,
          action,
          resource: sampleOf(resource),
        }).catch((error: unknown) => {
          throw new Error(`${policy.owner} ${statement.Sid}: ${String(error)}`);
        });
      }
    }
  }
}

/** The endings of the result files in a home the handlers write, as the README names them. */
export const RESULT_FILE_ENDINGS = [
  ".cf-created",
  ".cf-deleted",
  ".cf-failed",
  ".cf-extended",
  ".cf-expiring",
] as const;

/** The endings of money's files: each home's usage file and budget warning. */
export const MONEY_FILE_ENDINGS = ["/flightdeck-usage.json", "/budget.warning"] as const;
