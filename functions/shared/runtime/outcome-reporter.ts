import type { ClusterName, UserId } from "../identifiers.js";
import { noticeFor, type Notice } from "../notice.js";
import { resultFileFor, staleFilesAfter, type Outcome } from "../result-files.js";
import { userPolicyFor, type DeploymentPolicy } from "../deployment-policy.js";
import type { Notify } from "./notifier.js";
import type { UserHome } from "./user-home.js";

/** The user's cluster an outcome is about. */
export interface ClusterTarget {
  readonly user: UserId;
  readonly cluster: ClusterName;
}

/** A cluster together with its stack's name. */
export interface ClusterRef extends ClusterTarget {
  readonly stackName: string;
}

/**
 * Tells a user what happened: the result file first, then the files of
 * earlier states go, and only after both, the email. A failed S3 call is
 * thrown (the event is retried, and rewriting the same file is harmless); a
 * failed email is only logged.
 */
export class OutcomeReporter {
  constructor(
    private readonly home: UserHome,
    private readonly sendNotice: Notify,
  ) {}

  /** Writes the outcome's file and clears stale ones. */
  async record(ref: ClusterTarget, outcome: Outcome): Promise<void> {
    await this.home.write(resultFileFor(ref.user, ref.cluster, outcome));
    await this.home.remove(staleFilesAfter(ref.user, ref.cluster, outcome));
  }

  /** Emails the admin, and the user too when the policy has their address and the news is theirs. */
  async notify(
    ref: ClusterRef,
    outcome: Outcome,
    policy: DeploymentPolicy,
    options: { readonly adminOnly?: boolean } = {},
  ): Promise<void> {
    const userEmail =
      options.adminOnly === true ? undefined : userPolicyFor(policy, ref.user)?.email;
    await this.sendNotice(noticeFor(ref.user, ref.cluster, ref.stackName, outcome), userEmail);
  }

  /** Emails a notice that is not an outcome (an expiry warning) to the admin and the user. */
  async warn(user: UserId, notice: Notice, policy: DeploymentPolicy): Promise<void> {
    await this.sendNotice(notice, userPolicyFor(policy, user)?.email);
  }

  /** Emails a notice to the admin alone (the deployment's own budget). */
  async tellAdmin(notice: Notice): Promise<void> {
    await this.sendNotice(notice, undefined);
  }
}
