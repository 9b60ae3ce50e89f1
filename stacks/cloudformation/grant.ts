/*
 * The vocabulary of the service role's grants: which resources, which
 * actions, under which condition. service-role-permissions.ts turns grants
 * into IAM statements.
 */

/** A kind of resource a grant applies to; service-role-permissions.ts maps each to ARNs. */
export type ResourceKind =
  | "ec2:vpc"
  /** The deployment's shared VPC: the named one, or any carrying the deployment's tag. */
  | "ec2:deployment-vpc"
  | "ec2:subnet"
  | "ec2:internet-gateway"
  | "ec2:route-table"
  | "ec2:security-group"
  | "ec2:security-group-rule"
  | "ec2:placement-group"
  | "ec2:instance"
  | "ec2:volume"
  | "ec2:network-interface"
  | "ec2:key-pair"
  | "ec2:launch-template"
  | "ec2:spot-instances-request"
  | "ec2:elastic-ip"
  | "ec2:image"
  | "autoscaling:group"
  | "iam:node-role"
  | "iam:node-instance-profile"
  | "iam:autoscaling-service-linked-role"
  | "secretsmanager:stack-secret";

/** A named condition; the role builder fills in its values. */
export type GrantCondition =
  | "passed-to-ec2"
  | "autoscaling-service-linked-role"
  | "listed-managed-policies"
  /** The role acted on carries the deployment's permissions boundary. */
  | "node-permissions-boundary"
  /** The resource carries FlightDeck's stack tags for this deployment. */
  | "flightdeck-tagged"
  /** The VPC is the deployment's own: tagged as it (a VPC FlightDeck built), or named (an existing one). */
  | "deployment-vpc";

/**
 * Some actions on some resources; `"*"` only for actions without
 * resource-level permissions. Grants with the same `sid` become one
 * statement, so they must cover the same resources under the same condition.
 */
export interface Grant {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly ResourceKind[] | "*";
  readonly condition?: GrantCondition;
}

/** Grants `actions` on the resources of the given kinds, in the statement named `sid`. */
export const grantOn = (
  sid: string,
  resources: readonly ResourceKind[],
  ...actions: string[]
): Grant => ({
  sid,
  actions,
  resources,
});

/**
 * Grants destructive `actions` only on resources carrying this deployment's
 * FlightDeck tags, which CloudFormation copies from the stack to the
 * resources it creates: the role cannot terminate, delete or detach anything
 * FlightDeck did not build, whatever a template names.
 */
export const grantTaggedOn = (
  sid: string,
  resources: readonly ResourceKind[],
  ...actions: string[]
): Grant => ({ sid, actions, resources, condition: "flightdeck-tagged" });

/**
 * Grants `actions` on `"*"`: for describe calls and the like, which offer no
 * resource-level permissions. They share one statement.
 */
export const grantOnAnyResource = (...actions: string[]): Grant => ({
  sid: "NoResourceLevelPermissions",
  actions,
  resources: "*",
});

/** The node role: cluster instances run with it; nothing else may receive it. */
export const PASS_NODE_ROLE: Grant = {
  sid: "PassNodeRolesToEc2",
  actions: ["iam:PassRole"],
  resources: ["iam:node-role"],
  condition: "passed-to-ec2",
};
