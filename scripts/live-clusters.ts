import { CloudFormationClient, paginateDescribeStacks } from "@aws-sdk/client-cloudformation";
import { DEPLOYMENT_TAG } from "../functions/shared/deployment-policy.js";

/*
 * The clusters a deployment still has: CloudFormation stacks carrying its
 * deployment tag. A teardown waits for them to go, because it deletes the
 * service role CloudFormation needs to delete them, the network they run in
 * and the homes they mount; clusters left behind would keep running, and
 * costing, with nothing left to delete them.
 */

/** The names of the deployment's stacks that are not deleted yet, with their status. */
export async function liveClusterStacks(region: string, deployment: string): Promise<string[]> {
  const client = new CloudFormationClient({ region });
  const live: string[] = [];
  try {
    for await (const page of paginateDescribeStacks({ client }, {})) {
      for (const stack of page.Stacks ?? []) {
        const ours = (stack.Tags ?? []).some(
          (tag) => tag.Key === DEPLOYMENT_TAG && tag.Value === deployment,
        );
        if (ours && stack.StackStatus !== "DELETE_COMPLETE") {
          live.push(`${stack.StackName ?? "(unnamed)"} (${stack.StackStatus ?? "unknown status"})`);
        }
      }
    }
  } finally {
    client.destroy();
  }
  return live;
}
