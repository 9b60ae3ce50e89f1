import { readFileSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object/index.js";
import { AssetType, TerraformAsset, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { sha256Hex } from "../deployment/document-keys.js";
import { escapeTerraformTemplate } from "../iam/policy-document.js";
import { USER_SCRIPT_NAME, renderUserScript } from "./user-script.js";

/** Properties of {@link CustomizerContent}. */
export interface CustomizerContentProps {
  /** The customizer bucket's name. */
  readonly bucket: string;
  /** Key prefix of the customizer tree, e.g. `customizer`. */
  readonly prefix: string;
  /** Local folder of the default scripts; its `configure.d/user.sh` is the per-user template. */
  readonly scriptsDir: string;
  readonly users: ReadonlyArray<{
    readonly id: string;
    readonly login: string;
    readonly uid: string;
    readonly sshPublicKey: string;
  }>;
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Every file under `dir`, as a POSIX path relative to it, in a stable order. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort();
}

const CONFIGURE_DIR = "configure.d/";
/** The names a node accepts in a configure.d folder (template/boot/flightdeck-aws.py's SAFE_NAME). */
const SAFE_SCRIPT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The S3 keys of the customizer tree, shared with the tests. */
export const customizerKeys = {
  defaultFile: (prefix: string, file: string) => `${prefix}/default/${file}`,
  userScript: (prefix: string, user: string) => `${prefix}/${user}/${USER_SCRIPT_NAME}`,
};

/**
 * The customizer tree nodes download at boot: `<prefix>/default/…` holds the
 * scripts every cluster runs, and `<prefix>/<user>/configure.d/user.sh` each
 * provisioned user's rendered account-and-key script (the folder is named after
 * the user id, the account after their login). Nodes run default/ and
 * then the user's folder, so the unrendered user.sh template (which refuses
 * to run) is not uploaded to default/, and defaults are not copied per user.
 * A user's folder is what cf-create checks for, so removing a user from the
 * settings deletes it and with it their power to create clusters.
 */
export class CustomizerContent extends Construct {
  readonly userScriptKeys: readonly string[];

  constructor(scope: Construct, id: string, props: CustomizerContentProps) {
    super(scope, id);
    const dependsOn = props.dependsOn === undefined ? undefined : [...props.dependsOn];
    const files = filesUnder(props.scriptsDir);
    const unsafe = files.filter(
      (file) =>
        file.startsWith(CONFIGURE_DIR) && !SAFE_SCRIPT_NAME.test(file.slice(CONFIGURE_DIR.length)),
    );
    if (unsafe.length > 0) {
      // Nodes refuse a configure.d folder holding such a name, so every cluster would fail.
      throw new Error(
        `Customizer scripts with names nodes refuse to run: ${unsafe.join(", ")} (use letters, digits, ., _ and -, starting with a letter or digit).`,
      );
    }
    const asset = new TerraformAsset(this, "default-scripts", {
      path: props.scriptsDir,
      type: AssetType.DIRECTORY,
    });
    for (const file of files.filter((name) => name !== USER_SCRIPT_NAME)) {
      new S3Object(this, `default-${file.replaceAll("/", "--")}`, {
        bucket: props.bucket,
        key: customizerKeys.defaultFile(props.prefix, file),
        source: `${asset.path}/${file}`,
        // A content hash, so an edited script is uploaded again.
        sourceHash: sha256Hex(readFileSync(join(props.scriptsDir, file), "utf8")),
        contentType: file.endsWith(".sh") ? "text/x-shellscript" : "text/plain",
        dependsOn,
      });
    }
    const template = readFileSync(join(props.scriptsDir, USER_SCRIPT_NAME), "utf8");
    this.userScriptKeys = props.users.map((user) => {
      const key = customizerKeys.userScript(props.prefix, user.id);
      new S3Object(this, `user-${user.id}`, {
        bucket: props.bucket,
        key,
        content: escapeTerraformTemplate(renderUserScript(template, user)),
        contentType: "text/x-shellscript",
        dependsOn,
      });
      return key;
    });
  }
}
