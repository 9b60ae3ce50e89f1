import type { Stack } from "@aws-sdk/client-cloudformation";
import { isLeft } from "fp-ts/lib/Either.js";
import { MAX_CONFIG_BYTES, parseClusterConfig } from "../shared/cluster-config.js";
import type { DeploymentPolicy } from "../shared/deployment-policy.js";
import { requestIdOf, type S3EventRecord } from "../shared/s3-event.js";
import { foreignStackReason, type StackOwnership } from "../shared/stack-trust.js";
import { stackNameFor } from "../shared/stack-name.js";
import { meaningOfStatus } from "../shared/stack-status-event.js";
import { mergeTemplate, type CreateStackPlan } from "../shared/template-merge.js";
import type { CfnTemplate } from "../shared/cfn-template.js";
import type { CostQuote } from "../shared/cluster-cost.js";
import { isProvisioned } from "../shared/runtime/customizer.js";
import { withKeys, type DecisionLog } from "../shared/runtime/decision-log.js";
import { DeploymentFault, UserFacingFailure } from "../shared/runtime/faults.js";
import { unreadableTriggerReason } from "../shared/runtime/user-home.js";
import { acceptTrigger, runUserRequest } from "../shared/runtime/trigger-handling.js";
import type { ClusterRef, ClusterTarget } from "../shared/runtime/outcome-reporter.js";
import { templateUrlFor } from "../shared/template-url.js";
import type { CreateDeps } from "./create-deps.js";
import { openUsage } from "./open-usage.js";
import { takeSlot } from "./quota-slot.js";
import { settleCreate } from "./settle-create.js";

/**
 * Handles one `.cf-create` upload: admits it under the user's request rate,
 * checks the user, reads and merges the config, enforces the quota and
 * starts `CreateStack`, then returns. The
 * result file is written later, when the stack's final status arrives.
 * Anything the user can fix ends in `.cf-failed`; transient faults are thrown.
 */
export async function handleCreateRequest(deps: CreateDeps, record: S3EventRecord): Promise<void> {
  const trigger = await acceptTrigger(deps, record, "create", (refused, reasons) =>
    deps.reporter.record(refused, { kind: "failed", action: "create", reasons }),
  );
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
    await reconcile(deps, policy, ref, existing, log);
    return;
  }
  const plan = await planOf(deps, { policy, template }, ref, upload, log);
  if (plan === undefined) return;
  const quote = await priceOrRefuse(deps, policy, template, plan, ref, log);
  await takeSlot(deps, policy, ref, plan, log);
  await startStack(deps, policy, ref, { plan, quote }, log);
}

/**
 * The stack to create for the upload: its config read and merged into the
 * template under the policy, or `undefined` when the upload is gone.
 * Throws a {@link UserFacingFailure} for a config the user must fix.
 */
async function planOf(
  deps: CreateDeps,
  deployment: { readonly policy: DeploymentPolicy; readonly template: CfnTemplate },
  ref: ClusterRef,
  upload: Upload,
  log: DecisionLog,
): Promise<CreateStackPlan | undefined> {
  const read = await deps.home.readTrigger(upload.key, upload.versionId);
  if (read.kind === "missing") {
    log.info("trigger file is gone (already handled or withdrawn); nothing to do");
    return undefined;
  }
  if (read.kind === "unreadable") {
    throw new UserFacingFailure([unreadableTriggerReason(`${ref.cluster}.cf-create`)]);
  }
  if (read.kind === "too-large") {
    throw new UserFacingFailure([
      `The config file is ${read.bytes} bytes; the limit is ${MAX_CONFIG_BYTES} bytes (16 KiB).`,
    ]);
  }
  const config = parseClusterConfig(read.bytes);
  if (isLeft(config)) throw new UserFacingFailure(config.left);
  const plan = mergeTemplate({
    ...deployment,
    user: ref.user,
    cluster: ref.cluster,
    config: config.right,
    requestId: upload.requestId,
  });
  if (isLeft(plan)) throw new UserFacingFailure(plan.left);
  return plan.right;
}

/**
 * Starts CreateStack for the plan, whose slot this request holds. Started,
 * the slot learns its stack and the ledger its quote; a stack of that name
 * already there, or CloudFormation's refusal, gives the slot back.
 */
async function startStack(
  deps: CreateDeps,
  policy: DeploymentPolicy,
  ref: ClusterRef,
  start: { readonly plan: CreateStackPlan; readonly quote: CostQuote | undefined },
  log: DecisionLog,
): Promise<void> {
  const { plan, quote } = start;
  const templateUrl = templateUrlFor(
    deps.env.FD_CUSTOMIZER_BUCKET,
    deps.env.FD_TEMPLATE_KEY,
    deps.env.AWS_REGION,
  );
  const token = plan.clientRequestToken;
  const created = await deps.stacks.create(plan, templateUrl, deps.env.FD_SERVICE_ROLE_ARN);
  switch (created.kind) {
    case "started":
      if (created.stackId !== undefined) {
        await bindSlot(deps, ref, token, created.stackId, log);
        await openUsage(deps, ref, created.stackId, quote, log);
      }
      log.info("stack creation started", {
        stackId: created.stackId,
        parameters: plan.parameters.length,
        vcpus: plan.vcpus,
      });
      return;
    case "exists": {
      // A stack of this name that is not this request's (CloudFormation
      // answers a retry of this request with its own stack): this request's
      // slot counts nothing, so it goes, and the stack there is settled.
      await deps.registry.release(ref.user, ref.cluster, { token });
      const stack = await deps.stacks.describe(ref.stackName);
      if (stack !== undefined) await reconcile(deps, policy, ref, stack, log);
      return;
    }
    case "refused":
      await deps.registry.release(ref.user, ref.cluster, { token });
      throw new UserFacingFailure([created.reason]);
  }
}

/**
 * The cluster's price before launch, or the budgets' refusal (budget-gate.ts),
 * when the deployment keeps usage; loaded only then, so a cold start without
 * money does not pay for it.
 */
async function priceOrRefuse(
  deps: CreateDeps,
  policy: DeploymentPolicy,
  template: CfnTemplate,
  plan: CreateStackPlan,
  ref: ClusterRef,
  log: DecisionLog,
): Promise<CostQuote | undefined> {
  if (deps.money === undefined) return undefined;
  const { priceAndBudget } = await import("./budget-gate.js");
  const priced = await priceAndBudget(deps, policy, template, plan, ref.user, log);
  if (priced.refusals.length > 0) throw new UserFacingFailure([...priced.refusals]);
  return priced.quote;
}

/**
 * Records the new stack in this request's slot. Should the slot not be this
 * request's any more, the stack counts against no quota: it is deleted at
 * once, not left running. (A recording that fails for a moment is thrown:
 * the stack is checked against its slot again when it completes.)
 */
async function bindSlot(
  deps: CreateDeps,
  ref: ClusterRef,
  token: string,
  stackId: string,
  log: DecisionLog,
): Promise<void> {
  if (await deps.registry.recordStack(ref.user, ref.cluster, token, stackId)) return;
  log.error("the request's slot is gone before its stack was recorded; deleting the stack", {
    stackId,
  });
  await deps.stacks.delete(stackId, "cleanup");
  throw new UserFacingFailure([
    `Cluster "${ref.cluster}" lost its quota slot while its stack was being started, so FlightDeck deleted the stack. Upload ${ref.cluster}.cf-create again.`,
  ]);
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
