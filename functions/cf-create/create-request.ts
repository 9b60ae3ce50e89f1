import type { Stack } from "@aws-sdk/client-cloudformation";
import { isLeft } from "fp-ts/lib/Either.js";
import { MAX_CONFIG_BYTES, parseClusterConfig } from "../shared/cluster-config.js";
import { limitsFor } from "../shared/deployment-policy.js";
import { requestIdOf, type S3EventRecord } from "../shared/s3-event.js";
import type { StackPrefix } from "../shared/identifiers.js";
import { ownerOf } from "../shared/stack-facts.js";
import { parseStackName, stackNameFor, userStackPrefix } from "../shared/stack-name.js";
import { meaningOfStatus } from "../shared/stack-status-event.js";
import { mergeTemplate } from "../shared/template-merge.js";
import { isProvisioned } from "../shared/runtime/customizer.js";
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

  const existing = await deps.stacks.describe(ref.stackName);
  if (existing !== undefined) {
    await reconcile(deps, ref, existing, log);
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

  await enforceQuota(deps, ref, policy.stackPrefix, limitsFor(policy, ref.user).maxClusters);

  const templateUrl = templateUrlFor(
    deps.env.FD_CUSTOMIZER_BUCKET,
    deps.env.FD_TEMPLATE_KEY,
    deps.env.AWS_REGION,
  );
  const created = await deps.stacks.create(plan.right, templateUrl, deps.env.FD_SERVICE_ROLE_ARN);
  switch (created.kind) {
    case "started":
      log.info("stack creation started", {
        stackId: created.stackId,
        parameters: plan.right.parameters.length,
      });
      return;
    case "exists": {
      // Another delivery of this event, or a racing upload, got there first.
      const stack = await deps.stacks.describe(ref.stackName);
      if (stack !== undefined) await reconcile(deps, ref, stack, log);
      return;
    }
    case "refused":
      throw new UserFacingFailure([created.reason]);
  }
}

/**
 * A stack of this name already exists: a duplicate event, or a re-dropped
 * file. Nothing is created twice; the user's files are brought up to date.
 */
async function reconcile(
  deps: CreateDeps,
  ref: ClusterRef,
  stack: Stack,
  log: DecisionLog,
): Promise<void> {
  if (ownerOf(stack) !== ref.user) {
    log.error("existing stack's USER tag does not match; refusing", { tag: ownerOf(stack) });
    throw new UserFacingFailure([
      `A stack named ${ref.stackName} exists but does not belong to you; ask your administrator.`,
    ]);
  }
  if (stack.StackStatus === "DELETE_IN_PROGRESS") {
    throw new UserFacingFailure([
      `Cluster "${ref.cluster}" is still being deleted. Create it again once ${ref.cluster}.cf-deleted appears.`,
    ]);
  }
  const meaning = meaningOfStatus(stack.StackStatus);
  log.info("stack already exists; reconciling instead of creating", {
    status: stack.StackStatus,
    meaning,
  });
  await settleCreate(deps, ref, stack, { notify: false }, log);
}

/** Counts the user's live stacks in AWS itself, never from files the user could delete. */
async function enforceQuota(
  deps: CreateDeps,
  ref: ClusterRef,
  prefix: StackPrefix,
  maxClusters: string | undefined,
): Promise<void> {
  if (maxClusters === undefined) return;
  const names = await deps.stacks.liveStackNames(userStackPrefix(prefix, ref.user));
  const clusters = names
    .filter((name) => name !== ref.stackName)
    .map((name) => parseStackName(prefix, name)?.cluster ?? name);
  if (clusters.length >= Number(maxClusters)) {
    throw new UserFacingFailure([
      `You already have ${clusters.length} cluster(s) (${clusters.join(", ")}) and your limit is ${maxClusters}; delete one first.`,
    ]);
  }
}
