import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { isLeft } from "fp-ts/lib/Either.js";
import { decodeTemplate, type CfnTemplate } from "../cfn-template.js";
import { decodePolicy, type DeploymentPolicy } from "../deployment-policy.js";
import { DeploymentFault } from "./faults.js";

/** Where the deployment keeps its policy and, for cf-create, its cluster template. */
export interface DeploymentLocation {
  readonly bucket: string;
  readonly policyKey: string;
  readonly templateKey?: string | undefined;
}

/** The deployment's decisions, as read from S3. */
export interface Deployment {
  readonly policy: DeploymentPolicy;
  readonly template?: CfnTemplate | undefined;
}

async function readJson(s3: S3Client, bucket: string, key: string, what: string): Promise<unknown> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = (await object.Body?.transformToString("utf-8")) ?? "";
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DeploymentFault(`The ${what} s3://${bucket}/${key} is not valid JSON.`, {
      cause: error,
    });
  }
}

/**
 * Loads the policy and template once per cold start and shares the result.
 * The keys are content-hashed, so a changed deployment is a new key and a new
 * cold start. A failed load is forgotten, so the next event tries again.
 */
export function deploymentSource(
  s3: S3Client,
  location: DeploymentLocation,
): () => Promise<Deployment> {
  let loading: Promise<Deployment> | undefined;
  const load = async (): Promise<Deployment> => {
    const [policyJson, templateJson] = await Promise.all([
      readJson(s3, location.bucket, location.policyKey, "deployment policy"),
      location.templateKey === undefined
        ? Promise.resolve(undefined)
        : readJson(s3, location.bucket, location.templateKey, "cluster template"),
    ]);
    const policy = decodePolicy(policyJson);
    if (isLeft(policy))
      throw new DeploymentFault(`The deployment policy is invalid: ${policy.left.join(" ")}`);
    if (templateJson === undefined) return { policy: policy.right };
    const template = decodeTemplate(templateJson);
    if (isLeft(template))
      throw new DeploymentFault(`The cluster template is invalid: ${template.left.join(" ")}`);
    return { policy: policy.right, template: template.right };
  };
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
