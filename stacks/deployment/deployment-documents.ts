import { S3Object } from "@cdktf/provider-aws/lib/s3-object/index.js";
import { AssetType, TerraformAsset, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { DeploymentPolicy } from "../../functions/shared/deployment-policy.js";
import { templateUrlFor } from "../../functions/shared/template-url.js";
import { escapeTerraformTemplate } from "../iam/policy-document.js";
import type { ClusterTemplateFile } from "./cluster-template.js";
import { documentKeys } from "./document-keys.js";

/** Properties of {@link DeploymentDocuments}. */
export interface DeploymentDocumentsProps {
  /** The customizer bucket's name. */
  readonly bucket: string;
  readonly region: string;
  readonly template: ClusterTemplateFile;
  readonly policy: DeploymentPolicy;
  /** What must exist before the objects can be written (a bucket FlightDeck creates). */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * The cluster template and the deployment policy, as objects under
 * content-hashed keys in the customizer bucket. A `TemplateURL` lifts
 * CloudFormation's 51,200-byte `TemplateBody` limit; hashed keys mean a new
 * template never changes under a create in flight, and the new object exists
 * before the functions are pointed at it.
 */
export class DeploymentDocuments extends Construct {
  readonly templateKey: string;
  readonly policyKey: string;
  /** The exact `TemplateURL` cf-create passes to CloudFormation. */
  readonly templateUrl: string;
  readonly templateObject: S3Object;
  readonly policyObject: S3Object;

  constructor(scope: Construct, id: string, props: DeploymentDocumentsProps) {
    super(scope, id);
    const policyText = JSON.stringify(props.policy);
    const keys = documentKeys(props.template.sha256, policyText);
    this.templateKey = keys.template;
    this.policyKey = keys.policy;
    // The handler's own function, so the URL cf-create sends is the one IAM allows.
    this.templateUrl = templateUrlFor(props.bucket, keys.template, props.region);
    const asset = new TerraformAsset(this, "template-file", {
      path: props.template.path,
      type: AssetType.FILE,
    });
    const lifecycle = { createBeforeDestroy: true };
    const dependsOn = props.dependsOn === undefined ? undefined : [...props.dependsOn];
    this.templateObject = new S3Object(this, "template", {
      bucket: props.bucket,
      key: keys.template,
      source: asset.path,
      contentType: "application/json",
      lifecycle,
      dependsOn,
    });
    this.policyObject = new S3Object(this, "policy", {
      bucket: props.bucket,
      key: keys.policy,
      content: escapeTerraformTemplate(policyText),
      contentType: "application/json",
      lifecycle,
      dependsOn,
    });
  }
}
