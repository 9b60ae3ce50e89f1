import { IamGroup } from "@cdktf/provider-aws/lib/iam-group/index.js";
import { IamGroupPolicyAttachment } from "@cdktf/provider-aws/lib/iam-group-policy-attachment/index.js";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy/index.js";
import { IamUserGroupMembership } from "@cdktf/provider-aws/lib/iam-user-group-membership/index.js";
import { Construct } from "constructs";
import type { ArnScope } from "../iam/arns.js";
import { policyDocument, policyJson } from "../iam/policy-document.js";
import type { Identity } from "../settings/identity-settings.js";
import { userAccessStatements } from "./user-access-policy.js";

/** Properties of {@link UserAccess}. */
export interface UserAccessProps {
  readonly scope: ArnScope;
  readonly userBucket: string;
  readonly groupName: string;
  readonly policyName: string;
  /** How IAM names a user's home: by IAM user name (a group) or by session tag (no group). */
  readonly identity: Identity;
  /** Existing IAM users to add to the group. */
  readonly iamUsers: readonly string[];
}

/**
 * The users' managed policy. For IAM users it is attached to a group, and
 * listed IAM users join the group one membership each, which adds the group
 * without removing any other group a user belongs to. For a session-tag
 * identity there is no group: the admin attaches the policy to the IAM
 * Identity Center permission set (as a customer managed policy) or to the
 * federated role, as docs/admin-guide.md ("Who users are") says.
 */
export class UserAccess extends Construct {
  readonly policy: IamPolicy;
  /** The users' group; `undefined` with a session-tag identity. */
  readonly group: IamGroup | undefined;

  constructor(scope: Construct, id: string, props: UserAccessProps) {
    super(scope, id);
    const statements = userAccessStatements(props.scope, props.userBucket, props.identity);
    this.policy = new IamPolicy(this, "policy", {
      name: props.policyName,
      description:
        props.identity.source === "iam-user"
          ? "FlightDeck users: their own home folder in the user bucket, nothing else."
          : `FlightDeck users (by session tag ${props.identity.tag}): their own home folder in the user bucket, nothing else.`,
      policy: policyJson(policyDocument(statements)),
    });
    if (props.identity.source !== "iam-user") {
      this.group = undefined;
      return;
    }
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
