import { createHash } from "node:crypto";

/*
 * Where the deployment's documents live in the customizer bucket. cdktf-free,
 * so the CLI's `render` names the same keys the infrastructure uploads to.
 */

/** Where FlightDeck keeps its own files in the customizer bucket. */
const DOCUMENTS_PREFIX = "flightdeck";

/** Hex SHA-256 of a text's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The content-hashed keys of the two documents, so a change is a new object. */
export function documentKeys(
  templateSha256: string,
  policyText: string,
): { template: string; policy: string } {
  return {
    template: `${DOCUMENTS_PREFIX}/templates/cluster-${templateSha256}.json`,
    policy: `${DOCUMENTS_PREFIX}/policy-${sha256Hex(policyText)}.json`,
  };
}
