import { parseXML } from "@aws-sdk/xml-builder";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/*
 * The public IP of one EC2 instance, for templates without a `LoginIp`
 * output (such as the Alces Flight one). One signed EC2 Query call
 * rather than @aws-sdk/client-ec2: that client alone bundles to ~850 KB,
 * above the whole function's size budget, for a call that may never happen.
 * The signer, its SHA-256 and the XML parser are the ones the S3 and
 * CloudFormation clients already bundle, so the call adds almost nothing.
 */

/** Where and as whom to call EC2. */
export interface Ec2Access {
  readonly region: string;
  /** `AWS_ENDPOINT_URL_EC2` / `AWS_ENDPOINT_URL` when set, else the regional endpoint. */
  readonly endpoint?: string | undefined;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/** An XML element as the SDK's parser gives it: text, one child, or a list of same-named children. */
type XmlValue = string | XmlElement | XmlValue[] | undefined;
interface XmlElement {
  readonly [name: string]: XmlValue;
}

/** The text at a path of element names, taking the first of any repeated element. */
function textAt(root: XmlValue, ...names: readonly string[]): string | undefined {
  let value = root;
  for (const name of names) {
    const parent = Array.isArray(value) ? value[0] : value;
    if (parent === undefined || typeof parent === "string" || Array.isArray(parent))
      return undefined;
    value = parent[name];
  }
  const leaf = Array.isArray(value) ? value[0] : value;
  return typeof leaf === "string" && leaf !== "" ? leaf : undefined;
}

/** The code in EC2's error answer (`<Response><Errors><Error><Code>`), if it is EC2's XML at all: a proxy's may not be. */
function errorCodeOf(answer: string): string | undefined {
  try {
    return textAt(parseXML(answer) as XmlElement, "Response", "Errors", "Error", "Code");
  } catch {
    return undefined;
  }
}

/** Calls `DescribeInstances` for one instance and returns its public IPv4 address, if it has one. */
export async function publicIpOfInstance(
  access: Ec2Access,
  instanceId: string,
): Promise<string | undefined> {
  const url = new URL(access.endpoint ?? `https://ec2.${access.region}.amazonaws.com/`);
  const body = new URLSearchParams({
    Action: "DescribeInstances",
    Version: "2016-11-15",
    "InstanceId.1": instanceId,
  }).toString();
  const signer = new SignatureV4({
    service: "ec2",
    region: access.region,
    credentials: access.credentials,
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port === "" ? undefined : Number(url.port),
    path: url.pathname,
    headers: { host: url.host, "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
  });
  const response = await fetch(url, { method: "POST", headers: signed.headers, body });
  const answer = await response.text();
  if (!response.ok) {
    const code = errorCodeOf(answer) ?? `HTTP ${response.status}`;
    throw Object.assign(new Error(`EC2 DescribeInstances failed: ${code}`), {
      name: code,
      $metadata: { httpStatusCode: response.status },
    });
  }
  return textAt(
    parseXML(answer) as XmlElement,
    "DescribeInstancesResponse",
    "reservationSet",
    "item",
    "instancesSet",
    "item",
    "ipAddress",
  );
}
