import type { CfnTemplate } from "../../functions/shared/cfn-template.js";
import { SYSTEM_PARAMETERS } from "../../functions/shared/config-fields.js";
import { deploymentParameterPath } from "../../functions/shared/deployment-parameters.js";
import {
  DEPLOYMENT_TAG,
  MANAGED_BY,
  type DeploymentPolicy,
} from "../../functions/shared/deployment-policy.js";
import {
  NODE_BOUNDARY_PARAMETER,
  NODE_IAM_PATH,
} from "../../functions/shared/template-contract.js";
import { iamArn, regionalArn, type ArnScope } from "../iam/arns.js";
import type { PolicyCondition, PolicyStatement } from "../iam/policy-document.js";
import type { Grant, GrantCondition, ResourceKind } from "./grant.js";
import { OWN_NETWORK_DELETES } from "./network-grants.js";
import { ATTACH_LISTED_POLICIES, GRANTS_BY_TYPE } from "./service-role-grants.js";

/** What the service role's ARNs and conditions depend on. */
export interface ServiceRoleScope {
  readonly scope: ArnScope;
  readonly stackPrefix: string;
  /** The deployment's name, as its stacks' FlightDeckDeployment tag carries it. */
  readonly deployment: string;
  /** The permissions boundary every node role must carry. */
  readonly nodeBoundaryArn: string;
  /** The existing VPC the deployment uses; `undefined` when FlightDeck builds it (and tags it). */
  readonly existingVpcId?: string | undefined;
}

/** Why the cluster template cannot be deployed through the service role. */
export class ServiceRoleTemplateError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `The cluster template does not fit the CloudFormation service role:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ServiceRoleTemplateError";
  }
}

function resourceArns(kind: ResourceKind, context: ServiceRoleScope): string[] {
  const { scope, stackPrefix } = context;
  if (kind === "ec2:image") {
    // Public AMIs belong to other accounts, so the account field stays empty.
    return [`arn:${scope.partition}:ec2:${scope.region}::image/*`];
  }
  if (kind === "ec2:deployment-vpc") {
    return [regionalArn(scope, "ec2", `vpc/${context.existingVpcId ?? "*"}`)];
  }
  if (kind.startsWith("ec2:")) return [regionalArn(scope, "ec2", `${kind.slice(4)}/*`)];
  switch (kind) {
    case "autoscaling:group":
      // Generated and fixed group names alike start with the stack name.
      return [
        regionalArn(
          scope,
          "autoscaling",
          `autoScalingGroup:*:autoScalingGroupName/${stackPrefix}-*`,
        ),
      ];
    case "iam:node-role":
      return [iamArn(scope, `role${NODE_IAM_PATH}*`)];
    case "iam:node-instance-profile":
      return [iamArn(scope, `instance-profile${NODE_IAM_PATH}*`)];
    case "iam:autoscaling-service-linked-role":
      return [
        iamArn(
          scope,
          "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        ),
      ];
    case "secretsmanager:stack-secret":
      return [regionalArn(scope, "secretsmanager", `secret:${stackPrefix}-*`)];
    default:
      throw new Error(`No ARN for resource kind ${kind}.`);
  }
}

function conditionFor(
  condition: GrantCondition,
  managedPolicies: readonly string[],
  context: ServiceRoleScope,
): PolicyCondition | undefined {
  switch (condition) {
    case "passed-to-ec2":
      return { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } };
    case "autoscaling-service-linked-role":
      return { StringEquals: { "iam:AWSServiceName": "autoscaling.amazonaws.com" } };
    case "listed-managed-policies":
      return {
        ArnEquals: {
          "iam:PolicyARN": [...managedPolicies],
          "iam:PermissionsBoundary": context.nodeBoundaryArn,
        },
      };
    case "node-permissions-boundary":
      return { ArnEquals: { "iam:PermissionsBoundary": context.nodeBoundaryArn } };
    case "flightdeck-tagged":
      return {
        StringEquals: {
          "aws:ResourceTag/ManagedBy": MANAGED_BY,
          [`aws:ResourceTag/${DEPLOYMENT_TAG}`]: context.deployment,
        },
      };
    case "deployment-vpc":
      // A VPC FlightDeck built carries the deployment's tag (a default tag of
      // every resource it creates); an existing one is named in the ARN instead.
      return context.existingVpcId === undefined
        ? { StringEquals: { [`aws:ResourceTag/${DEPLOYMENT_TAG}`]: context.deployment } }
        : undefined;
  }
}

/** A `Fn::Sub` string (or plain string) the value is written as, if any. */
function subText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && "Fn::Sub" in value) {
    const sub = (value as { "Fn::Sub": unknown })["Fn::Sub"];
    return typeof sub === "string" ? sub : undefined;
  }
  return undefined;
}

const STARTS_WITH_STACK_NAME = /^\$\{AWS::StackName\}[-/]/;

/**
 * Checks what the service role's scoping relies on: node roles and instance
 * profiles under {@link NODE_IAM_PATH}, secrets and fixed group names
 * starting with the stack name, and only managed policies given literally.
 */
export function templateProblems(template: CfnTemplate): string[] {
  const problems: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const properties = resource.Properties ?? {};
    if (!Object.hasOwn(GRANTS_BY_TYPE, resource.Type)) {
      problems.push(
        `${id} is an ${resource.Type}, which the service role cannot create; add its permissions to stacks/cloudformation/service-role-grants.ts.`,
      );
    }
    if (resource.Type === "AWS::IAM::Role" || resource.Type === "AWS::IAM::InstanceProfile") {
      if (properties["Path"] !== NODE_IAM_PATH) {
        problems.push(`${id} must set "Path": "${NODE_IAM_PATH}".`);
      }
    }
    if (resource.Type === "AWS::IAM::Role") {
      const boundary = properties["PermissionsBoundary"] as { Ref?: unknown } | undefined;
      if (boundary?.Ref !== NODE_BOUNDARY_PARAMETER) {
        problems.push(
          `${id} must set "PermissionsBoundary": {"Ref": "${NODE_BOUNDARY_PARAMETER}"}: the service role creates no role without the deployment's boundary.`,
        );
      }
    }
    if (resource.Type === "AWS::SecretsManager::Secret") {
      if (!STARTS_WITH_STACK_NAME.test(subText(properties["Name"]) ?? "")) {
        problems.push(`${id} must set "Name": {"Fn::Sub": "\${AWS::StackName}-…"}.`);
      }
    }
    if (resource.Type === "AWS::AutoScaling::AutoScalingGroup") {
      const name = properties["AutoScalingGroupName"];
      if (name !== undefined && !STARTS_WITH_STACK_NAME.test(subText(name) ?? "")) {
        problems.push(`${id}: AutoScalingGroupName must start with \${AWS::StackName}.`);
      }
    }
  }
  return problems;
}

/** The managed policy ARNs the template's roles attach, with `${AWS::Partition}` filled in. */
export function managedPolicyArns(template: CfnTemplate, partition: string): string[] {
  const arns = new Set<string>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== "AWS::IAM::Role") continue;
    const listed = resource.Properties?.["ManagedPolicyArns"];
    if (listed === undefined) continue;
    for (const entry of Array.isArray(listed) ? listed : [listed]) {
      const text = subText(entry)?.replace(/\$\{AWS::Partition\}/g, partition);
      if (
        text === undefined ||
        text.includes("${") ||
        !text.startsWith(`arn:${partition}:iam::aws:policy/`)
      ) {
        throw new ServiceRoleTemplateError([
          `${id}: ManagedPolicyArns may list only AWS managed policies, written as ARNs.`,
        ]);
      }
      arns.add(text);
    }
  }
  return [...arns].sort();
}

/**
 * The SSM parameters CloudFormation resolves for the template's
 * `AWS::SSM::Parameter::Value<…>` parameters: each one's template default
 * and any deployment or per-user default the policy sets for it, and, for
 * the system parameters the merge sets (the shared network, each user's
 * home), the deployment's own parameters.
 */
export function ssmParameterArns(
  template: CfnTemplate,
  scope: ArnScope,
  policy: DeploymentPolicy,
): string[] {
  const arns = new Set<string>();
  for (const [name, declaration] of Object.entries(template.Parameters ?? {})) {
    if (!declaration.Type.startsWith("AWS::SSM::Parameter::")) continue;
    if ((SYSTEM_PARAMETERS as readonly string[]).includes(name)) {
      const path = deploymentParameterPath(policy.deployment).replace(/^\//, "");
      arns.add(regionalArn(scope, "ssm", `parameter/${path}*`));
    }
    const values = [
      declaration.Default,
      policy.defaults[name],
      ...Object.values(policy.users).map((user) => user.defaults?.[name]),
    ];
    for (const value of values) {
      if (typeof value !== "string") continue;
      if (value.startsWith("arn:")) arns.add(value);
      else if (value.startsWith("/aws/service/")) {
        // Public parameters are AWS's: their ARNs have an empty account field,
        // which `*` matches (only AWS can create names under /aws/).
        arns.add(`arn:${scope.partition}:ssm:${scope.region}:*:parameter${value}`);
      } else arns.add(regionalArn(scope, "ssm", `parameter/${value.replace(/^\//, "")}`));
    }
  }
  return [...arns].sort();
}

/**
 * Reading the SSM parameters the template's parameter types name. Both the
 * caller of CreateStack and the service role resolve them, so both get this.
 */
export function resolveParameterStatements(ssmParameterArns: readonly string[]): PolicyStatement[] {
  if (ssmParameterArns.length === 0) return [];
  return [
    {
      Sid: "ResolveTemplateParameters",
      Effect: "Allow",
      Action: ["ssm:GetParameters"],
      Resource: [...ssmParameterArns],
    },
  ];
}

const sameScope = (a: Grant, b: Grant) =>
  JSON.stringify([a.resources, a.condition]) === JSON.stringify([b.resources, b.condition]);

/**
 * The service role's statements for this template: the grants of every
 * resource type it uses, merged by resource set, plus SSM parameter reads.
 * Throws a {@link ServiceRoleTemplateError} when the template breaks the
 * rules the scoping relies on.
 */
export function serviceRoleStatements(
  template: CfnTemplate,
  context: ServiceRoleScope & { readonly ssmParameterArns: readonly string[] },
): PolicyStatement[] {
  const problems = templateProblems(template);
  if (problems.length > 0) throw new ServiceRoleTemplateError(problems);
  const managedPolicies = managedPolicyArns(template, context.scope.partition);
  const grants = [
    ...Object.values(template.Resources).flatMap((resource) => GRANTS_BY_TYPE[resource.Type] ?? []),
    // Stacks created before the network was shared are deleted with this role too.
    ...OWN_NETWORK_DELETES,
  ];
  if (managedPolicies.length > 0) grants.push(ATTACH_LISTED_POLICIES);

  const merged = new Map<string, { grant: Grant; actions: Set<string> }>();
  for (const grant of grants) {
    const entry = merged.get(grant.sid) ?? { grant, actions: new Set<string>() };
    if (!sameScope(entry.grant, grant)) {
      throw new Error(
        `Grants named ${grant.sid} cover different resources; give them different names.`,
      );
    }
    grant.actions.forEach((action) => entry.actions.add(action));
    merged.set(grant.sid, entry);
  }
  const statements: PolicyStatement[] = [...merged.values()].map(({ grant, actions }) => {
    const condition =
      grant.condition === undefined
        ? undefined
        : conditionFor(grant.condition, managedPolicies, context);
    return {
      Sid: grant.sid,
      Effect: "Allow",
      Action: [...actions].sort(),
      Resource:
        grant.resources === "*"
          ? "*"
          : grant.resources.flatMap((kind) => resourceArns(kind, context)),
      ...(condition === undefined ? {} : { Condition: condition }),
    };
  });
  return [...statements, ...resolveParameterStatements(context.ssmParameterArns)];
}
