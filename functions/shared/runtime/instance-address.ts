import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  SourceData,
} from "@smithy/types";

/*
 * The public IP of one EC2 instance, for templates without a `LoginIp`
 * output (such as the seed's Alces Flight one). One signed EC2 Query call
 * rather than @aws-sdk/client-ec2: that client alone bundles to ~850 KB,
 * above the whole function's size budget, for a call that may never happen.
 */

const bytesOf = (data: SourceData): string | Uint8Array =>
  typeof data === "string"
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SHA-256 (or its HMAC) from node:crypto, in the shape the signer takes. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytesOf(secret));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** Where and as whom to call EC2. */
export interface Ec2Access {
  readonly region: string;
  /** `AWS_ENDPOINT_URL_EC2` / `AWS_ENDPOINT_URL` when set, else the regional endpoint. */
  readonly endpoint?: string | undefined;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
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
    sha256: NodeSha256,
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
  const text = await response.text();
  if (!response.ok) {
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? `HTTP ${response.status}`;
    throw Object.assign(new Error(`EC2 DescribeInstances failed: ${code}`), {
      name: code,
      $metadata: { httpStatusCode: response.status },
    });
  }
  return /<ipAddress>([0-9.]+)<\/ipAddress>/.exec(text)?.[1];
}
