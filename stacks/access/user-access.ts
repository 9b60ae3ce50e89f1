import { IamGroup } from "@cdktf/provider-aws/lib/iam-group/index.js";
import { IamGroupPolicyAttachment } from "@cdktf/provider-aws/lib/iam-group-policy-attachment/index.js";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy/index.js";
import { IamUserGroupMembership } from "@cdktf/provider-aws/lib/iam-user-group-membership/index.js";
import { Construct } from "constructs";
import type { ArnScope } from "../iam/arns.js";
import { policyDocument, policyJson } from "../iam/policy-document.js";
import { userAccessStatements } from "./user-access-policy.js";

/** Properties of {@link UserAccess}. */
export interface UserAccessProps {
  readonly scope: ArnScope;
  readonly userBucket: string;
  readonly groupName: string;
  readonly policyName: string;
  /** Existing IAM users to add to the group. */
  readonly iamUsers: readonly string[];
}

/**
 * The users' managed policy, attached to a group. Listed IAM users join the
 * group one membership each, which adds the group without removing any other
 * group a user belongs to.
 */
export class UserAccess extends Construct {
  readonly policy: IamPolicy;
  readonly group: IamGroup;

  constructor(scope: Construct, id: string, props: UserAccessProps) {
    super(scope, id);
    this.policy = new IamPolicy(this, "policy", {
      name: props.policyName,
      description: "FlightDeck users: their own home folder in the user bucket, nothing else.",
      policy: policyJson(policyDocument(userAccessStatements(props.scope, props.userBucket))),
    });
    this.group = new IamGroup(this, "group", { name: props.groupName });
    new IamGroupPolicyAttachment(this, "attachment", {
      group: this.group.name,
      policyArn: this.policy.arn,
    });
    for (const user of props.iamUsers) {
      new IamUserGroupMembership(this, `member-${user}`, { user, groups: [this.group.name] });
    }
  }
}
