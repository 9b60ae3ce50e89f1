import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { recordOfItem } from "../../../functions/shared/runtime/cluster-registry.js";
import type { ClusterSlot } from "../../../functions/shared/cluster-registry.js";
import type { FakeStack } from "../../support/fake-stacks.js";
import type { HostileWorld } from "./hostile-world.js";

/*
 * What must hold of a user's clusters after every step, whatever the order
 * of uploads and stack events: the registry and CloudFormation agree. The
 * quota holds only if every stack that can run is counted, by exactly the
 * slot that names it, with its expiry and its true size.
 */

/** The vCPUs the default template's small presets give a stack: a 2-vCPU master and 2 per node. */
function smallPresetVcpus(stack: FakeStack): number {
  return 2 + 2 * Number(stack.parameters["ComputeMaxNodes"] ?? 8);
}

/** Whether `slot` is the one that names `stack`: by its id once recorded, else by the create's token. */
function slotNames(slot: ClusterSlot, stack: FakeStack): boolean {
  return slot.stackId !== undefined
    ? slot.stackId === stack.stackId
    : slot.token !== "" && slot.token === stack.createToken;
}

/** Every broken invariant of `user`'s clusters, as sentences; empty when all hold. */
export async function slotViolations(
  world: HostileWorld,
  user: string,
  limits: { readonly maxClusters: number; readonly maxVcpus: number },
): Promise<string[]> {
  const item = (await world.aws.registryItem(user)) as Record<string, AttributeValue> | undefined;
  const record = recordOfItem(item);
  // A stack FlightDeck is deleting because it holds no slot (its clean-up) is on its way out.
  const live = world.aws.cfn
    .liveStacks()
    .filter((s) => s.name.startsWith(`fd-${user}-`))
    .filter(
      (s) => !(s.status === "DELETE_IN_PROGRESS" && s.deleteToken?.startsWith("fd-cleanup-")),
    );
  const problems: string[] = [];
  for (const stack of live) {
    const cluster = stack.name.slice(`fd-${user}-`.length);
    const slot = record.clusters.get(cluster);
    if (slot === undefined || !slotNames(slot, stack)) {
      problems.push(`${stack.name} (${stack.status}) holds no slot: ${JSON.stringify(slot)}`);
      continue;
    }
    if (slot.expiresAt === undefined) problems.push(`${stack.name} has no expiry`);
    if (slot.vcpus !== smallPresetVcpus(stack)) {
      problems.push(
        `${stack.name} runs ${smallPresetVcpus(stack)} vCPUs, counted as ${slot.vcpus}`,
      );
    }
  }
  if (live.length > limits.maxClusters) {
    problems.push(`${live.length} live stacks, above maxClusters ${limits.maxClusters}`);
  }
  const running = live.reduce((sum, stack) => sum + smallPresetVcpus(stack), 0);
  if (running > limits.maxVcpus) {
    problems.push(`${running} vCPUs in live stacks, above maxVcpus ${limits.maxVcpus}`);
  }
  const counted = [...record.clusters.values()].reduce((sum, slot) => sum + slot.vcpus, 0);
  if (counted !== record.vcpus) {
    problems.push(`the record's vCPU total ${record.vcpus} is not its slots' ${counted}`);
  }
  return problems;
}
