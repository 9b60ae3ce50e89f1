import type { Stack } from "@aws-sdk/client-cloudformation";
import { initialExpiry, lifetimeFor } from "../shared/cluster-lifetime.js";
import { isLeft } from "fp-ts/lib/Either.js";
import { MAX_CONFIG_BYTES, parseClusterConfig } from "../shared/cluster-config.js";
import {
  quotaRefusal,
  slotsToCheck,
  type RegistryRecord,
  type SlotLimits,
} from "../shared/cluster-registry.js";
import { limitsFor, type DeploymentPolicy } from "../shared/deployment-policy.js";
import { requestIdOf, type S3EventRecord } from "../shared/s3-event.js";
import { foreignStackReason, type StackOwnership } from "../shared/stack-trust.js";
import { stackNameFor } from "../shared/stack-name.js";
import { meaningOfStatus } from "../shared/stack-status-event.js";
import { mergeTemplate, type CreateStackPlan } from "../shared/template-merge.js";
import { isProvisioned } from "../shared/runtime/customizer.js";
import { admitRequest } from "../shared/runtime/request-admission.js";
import { withKeys, type DecisionLog } from "../shared/runtime/decision-log.js";
import { DeploymentFault, UserFacingFailure } from "../shared/runtime/faults.js";
import { acceptTrigger, runUserRequest } from "../shared/runtime/trigger-handling.js";
import type { ClusterRef, ClusterTarget } from "../shared/runtime/outcome-reporter.js";
import { templateUrlFor } from "../shared/template-url.js";
import type { CreateDeps } from "./create-deps.js";
import { settleCreate } from "./settle-create.js";

/**
 * Handles one `.cf-create` upload: checks the user, reads and merges the
 * config, enforces the quota and starts `CreateStack`, then returns. The
 * result file is written later, when the stack's final status arrives.
 * Anything the user can fix ends in `.cf-failed`; transient faults are thrown.
 */
export async function handleCreateRequest(deps: CreateDeps, record: S3EventRecord): Promise<void> {
  const trigger = await acceptTrigger(deps.home, record, "create", deps.log);
  if (trigger === undefined) return;
  const target = { user: trigger.user, cluster: trigger.cluster };
  const upload: Upload = {
    key: trigger.key,
    versionId: record.s3.object.versionId,
    requestId: requestIdOf(record),
  };
  const log = withKeys(deps.log, target);
  await runUserRequest(deps.reporter, target, "create", log, () =>
    createCluster(deps, target, upload, log),
  );
}

/** The upload being handled. */
interface Upload {
  readonly key: string;
  readonly versionId: string | undefined;
  readonly requestId: string;
}

async function createCluster(
  deps: CreateDeps,
  target: ClusterTarget,
  upload: Upload,
  outerLog: DecisionLog,
): Promise<void> {
  const { policy, template } = await deps.deployment();
  if (template === undefined)
    throw new DeploymentFault("cf-create has no cluster template configured.");
  const ref: ClusterRef = {
    ...target,
    stackName: stackNameFor(policy.stackPrefix, target.user, target.cluster),
  };
  const log = withKeys(outerLog, { stackName: ref.stackName });

  if (!(await isProvisioned(deps.s3, policy.customizer, ref.user))) {
    throw new UserFacingFailure([
      `User ${ref.user} is not provisioned for FlightDeck: ask your administrator to add you to the deployment's users.`,
    ]);
  }
  await admitRequest(deps.registry, policy, ref, log);

  const existing = await deps.stacks.describe(ref.stackName);
  if (existing !== undefined) {
    await reconcile(deps, policy, ref, existing, log);
    return;
  }

  const read = await deps.home.readTrigger(upload.key, upload.versionId);
  if (read.kind === "missing") {
    log.info("trigger file is gone (already handled or withdrawn); nothing to do");
    return;
  }
  if (read.kind === "too-large") {
    throw new UserFacingFailure([
      `The config file is ${read.bytes} bytes; the limit is ${MAX_CONFIG_BYTES} bytes (16 KiB).`,
    ]);
  }
  const config = parseClusterConfig(read.bytes);
  if (isLeft(config)) throw new UserFacingFailure(config.left);

  const plan = mergeTemplate({
    template,
    policy,
    user: ref.user,
    cluster: ref.cluster,
    config: config.right,
    requestId: upload.requestId,
  });
  if (isLeft(plan)) throw new UserFacingFailure(plan.left);

  await takeSlot(deps, policy, ref, plan.right, log);

  const templateUrl = templateUrlFor(
    deps.env.FD_CUSTOMIZER_BUCKET,
    deps.env.FD_TEMPLATE_KEY,
    deps.env.AWS_REGION,
  );
  const created = await deps.stacks.create(plan.right, templateUrl, deps.env.FD_SERVICE_ROLE_ARN);
  switch (created.kind) {
    case "started":
      if (created.stackId !== undefined)
        await deps.registry.recordStack(ref.user, ref.cluster, created.stackId);
      log.info("stack creation started", {
        stackId: created.stackId,
        parameters: plan.right.parameters.length,
        vcpus: plan.right.vcpus,
      });
      return;
    case "exists": {
      // Another delivery of this event, or a racing upload, got there first.
      const stack = await deps.stacks.describe(ref.stackName);
      if (stack !== undefined) await reconcile(deps, policy, ref, stack, log);
      return;
    }
    case "refused":
      await deps.registry.release(ref.user, ref.cluster, { token: plan.right.clientRequestToken });
      throw new UserFacingFailure([created.reason]);
  }
}

/**
 * A stack of this name already exists: a duplicate event, or a re-dropped
 * file. Nothing is created twice; the user's files are brought up to date.
 */
async function reconcile(
  deps: CreateDeps,
  policy: DeploymentPolicy,
  ref: ClusterRef,
  stack: Stack,
  log: DecisionLog,
): Promise<void> {
  const foreign = foreignStackReason(stack, ownership(deps, policy, ref));
  if (foreign !== undefined) {
    log.warn("a stack of this name exists but is not FlightDeck's; refusing", { why: foreign });
    throw new UserFacingFailure([
      `A stack named ${ref.stackName} exists but is not one of FlightDeck's clusters for you, so FlightDeck leaves it alone; ask your administrator.`,
    ]);
  }
  const unsettled = unsettledStackReason(ref, stack);
  if (unsettled !== undefined) {
    log.info("stack exists in a state a create cannot settle; user told", {
      status: stack.StackStatus,
    });
    throw new UserFacingFailure([unsettled]);
  }
  const meaning = meaningOfStatus(stack.StackStatus);
  log.info("stack already exists; reconciling instead of creating", {
    status: stack.StackStatus,
    meaning,
  });
  await settleCreate(deps, ref, stack, { notify: false }, log);
}

/** Statuses whose own stack-status event will settle a create: the caller waits for it. */
const CREATE_UNDER_WAY: ReadonlySet<string> = new Set([
  "CREATE_IN_PROGRESS",
  "ROLLBACK_IN_PROGRESS",
]);

/**
 * What to tell a user who asks for a cluster whose stack exists but is
 * neither up, nor failed at creating, nor on its way to either: no status
 * event will come to cf-create for it, so without this the request would
 * get no answer.
 */
function unsettledStackReason(ref: ClusterRef, stack: Stack): string | undefined {
  const status = stack.StackStatus ?? "UNKNOWN";
  const why = stack.StackStatusReason ? ` (${stack.StackStatusReason})` : "";
  const meaning = meaningOfStatus(status);
  if (status === "DELETE_IN_PROGRESS") {
    return `Cluster "${ref.cluster}" is still being deleted. Create it again once ${ref.cluster}.cf-deleted appears.`;
  }
  if (meaning === "delete-failed") {
    return `Cluster "${ref.cluster}" could not be deleted earlier (${status}${why}). Upload ${ref.cluster}.cf-delete to try the delete again, and create it once ${ref.cluster}.cf-deleted appears.`;
  }
  if (meaning === "in-progress" && !CREATE_UNDER_WAY.has(status)) {
    return `Cluster "${ref.cluster}" is busy (${status}): an administrator is changing its stack. Upload ${ref.cluster}.cf-create again once that has finished.`;
  }
  if (meaning === "other") {
    return `Cluster "${ref.cluster}" exists but its stack is ${status}${why}, so FlightDeck cannot tell whether it works. Ask your administrator, or upload ${ref.cluster}.cf-delete to remove it.`;
  }
  return undefined;
}

/** What this user's stacks of this deployment look like. */
const ownership = (
  deps: CreateDeps,
  policy: DeploymentPolicy,
  ref: ClusterRef,
): StackOwnership => ({
  user: ref.user,
  deployment: policy.deployment,
  serviceRoleArn: deps.env.FD_SERVICE_ROLE_ARN,
});

const limitNumber = (value: string | undefined) =>
  value === undefined ? undefined : Number(value);

/**
 * Takes the cluster's slot in the registry: one conditional write, so of
 * any number of racing uploads only as many as the limits allow get one.
 * When there is no room, slots whose stacks are gone (a lost event, a
 * crashed invocation) are freed first and the write is tried once more.
 */
async function takeSlot(
  deps: CreateDeps,
  policy: DeploymentPolicy,
  ref: ClusterRef,
  plan: CreateStackPlan,
  log: DecisionLog,
): Promise<void> {
  const limits = limitsFor(policy, ref.user);
  const slotLimits: SlotLimits = {
    maxClusters: limitNumber(limits.maxClusters),
    maxVcpus: limitNumber(limits.maxVcpus),
  };
  const lifetime = lifetimeFor(policy, ref.user);
  const claim = () => {
    const nowMs = Date.now();
    const expiresAt = initialExpiry(nowMs, lifetime);
    return { vcpus: plan.vcpus, token: plan.clientRequestToken, nowMs, expiresAt };
  };
  let taken = await deps.registry.acquire(ref.user, ref.cluster, claim(), slotLimits);
  if (taken.kind === "full" && (await freeLostSlots(deps, policy, ref, taken.record, log)) > 0) {
    taken = await deps.registry.acquire(ref.user, ref.cluster, claim(), slotLimits);
  }
  if (taken.kind === "full") {
    log.info("no slot left under the user's limits", {
      holders: [...taken.record.clusters.keys()],
      vcpus: taken.record.vcpus,
    });
    throw new UserFacingFailure(quotaRefusal(ref.cluster, plan.vcpus, slotLimits, taken.record));
  }
  log.info(taken.kind === "acquired" ? "slot taken" : "slot already held by this cluster", {
    vcpus: plan.vcpus,
  });
}

/**
 * Frees the slots whose stacks CloudFormation no longer has (or that are
 * not FlightDeck's), checking only slots past the grace period and not seen
 * alive within it: at most one DescribeStacks per slot the user holds.
 * Returns how many were freed.
 */
async function freeLostSlots(
  deps: CreateDeps,
  policy: DeploymentPolicy,
  ref: ClusterRef,
  record: RegistryRecord,
  log: DecisionLog,
): Promise<number> {
  const now = Date.now();
  let freed = 0;
  const alive: string[] = [];
  for (const [cluster, slot] of slotsToCheck(record, ref.cluster, now)) {
    const stackName = stackNameFor(policy.stackPrefix, ref.user, cluster as ClusterRef["cluster"]);
    const stack = await deps.stacks.describe(slot.stackId ?? stackName);
    const gone =
      stack === undefined ||
      stack.StackStatus === "DELETE_COMPLETE" ||
      foreignStackReason(stack, ownership(deps, policy, ref)) !== undefined;
    if (!gone) {
      alive.push(cluster);
      continue;
    }
    if (await deps.registry.release(ref.user, cluster, { token: slot.token })) {
      freed += 1;
      log.warn("freed a slot whose stack is gone", { heldBy: cluster, stackId: slot.stackId });
    }
  }
  if (alive.length > 0) await deps.registry.markChecked(ref.user, alive, now);
  return freed;
}
