import type { UserId } from "./identifiers.js";
import { encodeUser } from "./stack-name.js";

/*
 * The deployment's shared network and each user's home are built once, by
 * the deployment (Terraform), and every cluster stack uses them. Their ids
 * are AWS's to choose, so they reach a stack through SSM parameters whose
 * names are fixed here: the deployment writes the values, and the merge
 * passes the names as the template's `AWS::SSM::Parameter::Value<…>`
 * parameters, which CloudFormation resolves when it creates the stack. The
 * published policy therefore stays a pure function of the settings, and a
 * user's config can name none of these (they are system parameters).
 */

/** Every parameter of deployment `deployment` lies under this path. */
export function deploymentParameterPath(deployment: string): string {
  return `/flightdeck/${deployment}/`;
}

/** The shared network's parameters: the VPC, and its subnets (one per Availability Zone). */
export function networkParameterNames(deployment: string): {
  readonly vpcId: string;
  readonly subnetIds: string;
} {
  const network = `${deploymentParameterPath(deployment)}network/`;
  return { vpcId: `${network}vpc-id`, subnetIds: `${network}subnet-ids` };
}

/**
 * One user's home: their file system, and the security group a cluster's
 * instances must carry to reach its mount targets. The user's segment is
 * {@link encodeUser}'s: letters and digits, different for every id.
 */
export function homeParameterNames(
  deployment: string,
  user: UserId,
): { readonly fileSystemId: string; readonly clientSecurityGroupId: string } {
  const home = `${deploymentParameterPath(deployment)}homes/${encodeUser(user)}/`;
  return {
    fileSystemId: `${home}file-system-id`,
    clientSecurityGroupId: `${home}client-security-group-id`,
  };
}
