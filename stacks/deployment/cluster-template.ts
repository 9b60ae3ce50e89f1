import { readFileSync } from "node:fs";
import { decodeTemplate, type CfnTemplate } from "../../functions/shared/cfn-template.js";
import { sha256Hex } from "./document-keys.js";

/** The cluster template as read from disk: its bytes, its parsed form and its hash. */
export interface ClusterTemplateFile {
  readonly path: string;
  readonly text: string;
  readonly template: CfnTemplate;
  /** Hex SHA-256 of the file's bytes; names the uploaded copy. */
  readonly sha256: string;
}

/** Why the cluster template cannot be used. */
export class ClusterTemplateError extends Error {
  constructor(path: string, problems: readonly string[], options?: { cause?: unknown }) {
    super(`Cluster template ${path}:\n${problems.map((p) => `  - ${p}`).join("\n")}`, options);
    this.name = "ClusterTemplateError";
  }
}

/** Reads and checks the cluster template, failing synth with readable reasons. */
export function loadClusterTemplate(path: string): ClusterTemplateFile {
  let text: string;
  let json: unknown;
  try {
    text = readFileSync(path, "utf8");
    json = JSON.parse(text);
  } catch (error) {
    throw new ClusterTemplateError(path, ["cannot be read as a JSON file."], { cause: error });
  }
  const decoded = decodeTemplate(json);
  if (decoded._tag === "Left") throw new ClusterTemplateError(path, decoded.left);
  return { path, text, template: decoded.right, sha256: sha256Hex(text) };
}
