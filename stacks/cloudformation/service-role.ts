import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { Construct } from "constructs";
import { iamArn, type ArnScope } from "../iam/arns.js";
import {
  policyDocument,
  policyJson,
  serviceTrustPolicy,
  type PolicyStatement,
} from "../iam/policy-document.js";

/** Properties of the {@link ServiceRole}. */
export interface ServiceRoleProps {
  readonly roleName: string;
  readonly scope: ArnScope;
  /** From `serviceRoleStatements`: exactly what the cluster template needs. */
  readonly statements: readonly PolicyStatement[];
  /** The account CloudFormation must be acting for; omitted only in an offline plan. */
  readonly accountId?: string | undefined;
}

/**
 * The role CloudFormation assumes to build and delete clusters. Users never
 * hold it, and cf-create may only pass it to CloudFormation. It lives at the
 * root path, outside `/flightdeck/`, so the roles it may create, change and
 * pass never include itself.
 */
export class ServiceRole extends Construct {
  readonly role: IamRole;
  /** Built from the name, so policies naming it are complete in the plan. */
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    this.roleArn = iamArn(props.scope, `role/${props.roleName}`);
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: "FlightDeck: CloudFormation builds and deletes cluster stacks with this role.",
      assumeRolePolicy: serviceTrustPolicy("cloudformation.amazonaws.com", props.accountId),
    });
    new IamRolePolicy(this, "permissions", {
      name: "cluster-stacks",
      role: this.role.id,
      policy: policyJson(policyDocument(props.statements)),
    });
  }
}
