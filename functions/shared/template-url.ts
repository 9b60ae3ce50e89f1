/**
 * The virtual-hosted S3 URL CloudFormation fetches a template from. The
 * template lives in S3 rather than inline, which lifts the 51,200-byte
 * `TemplateBody` limit.
 */
export function templateUrlFor(bucket: string, key: string, region: string): string {
  const domain = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  const path = key.split("/").map(encodeURIComponent).join("/");
  return `https://${bucket}.s3.${region}.${domain}/${path}`;
}
