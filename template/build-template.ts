import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";
import { COMPUTE_TYPES_PARAMETER, MAX_COMPUTE_TYPES } from "../functions/shared/compute-types.js";
import { LOGIN_IP_OUTPUT } from "../functions/shared/template-contract.js";
import { OTHER_CHOICE, PRESET_MAPPING } from "./instance-types.js";
import { getAtt, ref } from "./intrinsics.js";
import { networkResources } from "./network.js";
import { computeTypeSlot } from "./compute-nodes.js";
import { MASTER_RESOURCE } from "./node-common.js";
import { nodeResources } from "./nodes.js";
import { clusterParameters, ON_DEMAND_PRICES } from "./parameters.js";

/*
 * Generates template/cluster.json, FlightDeck's default cluster template, from
 * its modules: parameters.ts, network.ts and nodes.ts (with boot/ embedded
 * by user-data.ts). Run `npm run template` after changing any of them; a test
 * fails while cluster.json is stale.
 */

/** The committed template. */
export const CLUSTER_TEMPLATE_PATH = fileURLToPath(new URL("./cluster.json", import.meta.url));

/** The conditions the resources choose branches by. */
function conditions(): Record<string, unknown> {
  const isOther = (choice: string) => ({ "Fn::Equals": [ref(choice), OTHER_CHOICE] });
  return {
    ComputeIsOther: isOther("ComputeInstanceType"),
    MasterIsOther: isOther("MasterInstanceType"),
    OnDemand: {
      "Fn::Or": ON_DEMAND_PRICES.map((price) => ({
        "Fn::Equals": [ref("ComputeSpotPrice"), price],
      })),
    },
    UseSpot: { "Fn::Not": [{ Condition: "OnDemand" }] },
    // The compute groups' override slots: one per listed type.
    HasComputeTypes: { "Fn::Not": [{ "Fn::Equals": [ref(COMPUTE_TYPES_PARAMETER), ""] }] },
    ...Object.fromEntries(
      Array.from({ length: MAX_COMPUTE_TYPES - 1 }, (_, i) => [
        `HasComputeType${i + 1}`,
        { "Fn::Not": [{ "Fn::Equals": [computeTypeSlot(i + 1), ""] }] },
      ]),
    ),
    // Spot nodes whose limits allow on-demand, and that did not ask for spot
    // only. Written as not-any-of: cfn-lint 1.9.7 cannot evaluate Fn::And.
    UseOnDemandFallback: {
      "Fn::Not": [
        {
          "Fn::Or": [
            { Condition: "OnDemand" },
            { "Fn::Not": [{ "Fn::Equals": [ref("ComputeOnDemandAllowed"), "true"] }] },
            { "Fn::Equals": [ref("SpotFallbackMinutes"), "0"] },
          ],
        },
      ],
    },
    UsePlacementGroup: {
      "Fn::Equals": [
        { "Fn::FindInMap": ["InstancePresets", ref("ComputeInstanceType"), "PlacementGroup"] },
        "true",
      ],
    },
  };
}

/** The default cluster template as a JSON value. */
export function buildClusterTemplate(): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description:
      "FlightDeck default cluster: Slurm on Ubuntu 24.04, a login/master node and auto-scaled compute nodes sharing /home.",
    Parameters: clusterParameters(),
    Mappings: { InstancePresets: PRESET_MAPPING },
    Conditions: conditions(),
    Resources: { ...networkResources(), ...nodeResources() },
    Outputs: {
      [LOGIN_IP_OUTPUT]: {
        Description: "Public IP address of the login node",
        Value: getAtt(MASTER_RESOURCE, "PublicIp"),
      },
      LoginUser: { Description: "User name to log in with", Value: ref("AccessUsername") },
      ClusterName: { Description: "The cluster's name", Value: ref("ClusterName") },
    },
  };
}

/** cluster.json's exact text: the template formatted by the repository's prettier settings. */
export async function renderClusterTemplate(): Promise<string> {
  const options = await prettier.resolveConfig(CLUSTER_TEMPLATE_PATH);
  return prettier.format(JSON.stringify(buildClusterTemplate()), {
    ...options,
    filepath: CLUSTER_TEMPLATE_PATH,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(CLUSTER_TEMPLATE_PATH, await renderClusterTemplate());
  console.log(`wrote ${CLUSTER_TEMPLATE_PATH}`);
}
