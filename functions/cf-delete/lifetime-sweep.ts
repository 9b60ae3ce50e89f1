import type { ClusterSlot, RegistryRecord } from "../shared/cluster-registry.js";
import {
  expiredReason,
  expiryOf,
  expiryText,
  lifetimeFor,
  sweepActionFor,
  sweepWindowOf,
} from "../shared/cluster-lifetime.js";
import { isClusterName, isUserId, type ClusterName, type UserId } from "../shared/identifiers.js";
import { expiringFile } from "../shared/lifetime-files.js";
import { expiryNotice } from "../shared/notice.js";
import { stackNameFor } from "../shared/stack-name.js";
import { foreignStackReason } from "../shared/stack-trust.js";
import { withKeys, type DecisionLog } from "../shared/runtime/decision-log.js";
import { describeError, isTransient } from "../shared/runtime/faults.js";
import type { DeploymentPolicy } from "../shared/deployment-policy.js";
import type { DeleteDeps } from "./delete-deps.js";
import type { BudgetStop, MoneySweep } from "./money-sweep.js";
import type { ClusterRun } from "./spend-accrual.js";

/** What one sweep did, for its log line and for tests. */
export interface SweepSummary {
  readonly clusters: number;
  readonly expired: string[];
  readonly warned: string[];
  /** Clusters whose step failed (throttled, say): the next sweep tries them again. */
  readonly deferred: string[];
}

/**
 * The lifetime sweep, run by the schedule every 15 minutes. It reads the
 * cluster registry (one Scan, whatever else the account holds) and, for
 * each cluster:
 * - past its expiry: re-reads its stack (one DescribeStacks), checks it is
 *   this deployment's, and deletes it with an `expire` token of the sweep's
 *   window: the same however often one window's sweep is delivered, so
 *   CloudFormation deletes once, and new in the next window, so a delete
 *   that ended DELETE_FAILED is tried again, once a window;
 * - within the hour before: writes `<cluster>.cf-expiring` and, once per
 *   expiry, emails the owner.
 * No stack is listed, and none but a registered cluster's is touched. A
 * step that fails is logged and left for the next sweep; the others go on.
 */
export async function sweepLifetimes(deps: DeleteDeps, nowMs: number): Promise<SweepSummary> {
  const { policy } = await deps.deployment();
  const summary = {
    clusters: 0,
    expired: [] as string[],
    warned: [] as string[],
    deferred: [] as string[],
  };
  const records = await deps.registry.allRecords();
  const money = await moneyOf(deps, policy, records, nowMs);
  for (const { user, record } of records) {
    for (const [cluster, slot] of record.clusters) {
      if (!isUserId(user) || !isClusterName(cluster)) {
        deps.log.warn("registry entry with an invalid name; skipped", { user, cluster });
        continue;
      }
      summary.clusters += 1;
      const log = withKeys(deps.log, { user, cluster });
      try {
        const stop = money?.stopFor(user);
        const done = await sweepCluster(deps, policy, { user, cluster, slot, stop }, nowMs, log);
        if (done === "expired") summary.expired.push(`${user}/${cluster}`);
        if (done === "warned") summary.warned.push(`${user}/${cluster}`);
      } catch (error) {
        summary.deferred.push(`${user}/${cluster}`);
        const level = isTransient(error) ? "warn" : "error";
        log[level]("lifetime step failed; the next sweep tries again", describeError(error));
      }
    }
  }
  deps.log.info("lifetime sweep done", {
    users: records.length,
    clusters: summary.clusters,
    expired: summary.expired.length,
    warned: summary.warned.length,
    deferred: summary.deferred.length,
  });
  return summary;
}

/** One registered cluster, and its budget's stop when its budget is spent. */
interface SweptCluster {
  readonly user: UserId;
  readonly cluster: ClusterName;
  readonly slot: ClusterSlot;
  readonly stop?: BudgetStop | undefined;
}

async function sweepCluster(
  deps: DeleteDeps,
  policy: DeploymentPolicy,
  swept: SweptCluster,
  nowMs: number,
  log: DecisionLog,
): Promise<"expired" | "warned" | "none"> {
  const { user, cluster, slot, stop } = swept;
  const lifetime = lifetimeFor(policy, user);
  // A spent budget ends the cluster before its lifetime would: a notice, then the delete.
  if (stop !== undefined && stop.stopAt <= expiryOf(slot, lifetime)) {
    if (nowMs < stop.stopAt) {
      await deps.home.write(stop.notice(cluster));
      return "warned";
    }
    return endCluster(deps, policy, swept, nowMs, log, stop.reason);
  }
  const action = sweepActionFor(slot, lifetime, nowMs);
  if (action.kind === "none") return "none";
  if (action.kind === "warn") {
    // The file first (rewriting it is harmless), then the mark, and the email
    // only to whoever set the mark: one email per expiry however often this runs.
    await deps.home.write(expiringFile(user, cluster, action.expiresAt));
    if (await deps.registry.markWarned(user, cluster, action.expiresAt)) {
      await deps.reporter.warn(
        user,
        expiryNotice(user, cluster, expiryText(action.expiresAt)),
        policy,
      );
      log.info("owner warned of the cluster's expiry", { expiresAt: action.expiresAt });
    }
    return "warned";
  }
  return endCluster(
    deps,
    policy,
    swept,
    nowMs,
    log,
    expiredReason(action.lifetimeHours),
    action.expiresAt,
  );
}

/**
 * Deletes a registered cluster FlightDeck itself ends (its lifetime, its
 * budget): re-reads its stack, checks it is this deployment's, records why,
 * and deletes it with an `expire` token of the sweep's window.
 */
async function endCluster(
  deps: DeleteDeps,
  policy: DeploymentPolicy,
  swept: SweptCluster,
  nowMs: number,
  log: DecisionLog,
  reason: string,
  expiresAt?: number,
): Promise<"expired" | "none"> {
  const { user, cluster, slot } = swept;
  const stackName = stackNameFor(policy.stackPrefix, user, cluster);
  const stack = await deps.stacks.describe(slot.stackId ?? stackName);
  if (stack === undefined || stack.StackStatus === "DELETE_COMPLETE") {
    log.info("expired cluster has no stack; its slot is freed by the quota's own check", {
      stackName,
    });
    return "none";
  }
  const foreign = foreignStackReason(stack, {
    user,
    deployment: policy.deployment,
    serviceRoleArn: deps.env.FD_SERVICE_ROLE_ARN,
  });
  if (foreign !== undefined) {
    log.warn("the stack of an expired cluster is not FlightDeck's; nothing deleted", {
      stackName,
      why: foreign,
    });
    return "none";
  }
  if (stack.StackStatus === "DELETE_IN_PROGRESS") {
    log.info("expired cluster is already being deleted", { stackName });
    return "none";
  }
  const stackId = stack.StackId ?? stackName;
  await deps.registry.markEnding(user, cluster, reason);
  await deps.stacks.delete(stackId, "expire", sweepWindowOf(nowMs));
  log.info("expired cluster's deletion started", { stackName, stackId, expiresAt, reason });
  return "expired";
}

/**
 * The money half of the sweep (money-sweep.ts), when the deployment keeps
 * usage. Its failure (throttled, say) is logged and leaves lifetimes to go
 * on: the next sweep accrues up to its own moment, so nothing is lost.
 */
async function moneyOf(
  deps: DeleteDeps,
  policy: DeploymentPolicy,
  records: ReadonlyArray<{ readonly user: string; readonly record: RegistryRecord }>,
  nowMs: number,
): Promise<MoneySweep | undefined> {
  if (deps.money === undefined) return undefined;
  const runs: ClusterRun[] = records.flatMap(({ user, record }) =>
    [...record.clusters].flatMap(([cluster, slot]) =>
      slot.stackId === undefined || !isUserId(user) || !isClusterName(cluster)
        ? []
        : [{ user, cluster, stackId: slot.stackId, createdAt: slot.acquiredAt }],
    ),
  );
  try {
    // Loaded for the sweep only: no upload or stack event pays for it at cold start.
    const [{ sweepMoney }, money] = await Promise.all([import("./money-sweep.js"), deps.money()]);
    return await sweepMoney(deps, money, policy, runs, nowMs);
  } catch (error) {
    const level = isTransient(error) ? "warn" : "error";
    deps.log[level](
      "spend and budgets not swept; the next sweep tries again",
      describeError(error),
    );
    return undefined;
  }
}
