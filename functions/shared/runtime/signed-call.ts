import { parseXML } from "@aws-sdk/xml-builder";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/*
 * Signed calls to the services money needs (EC2's Query API, the Price List
 * API's JSON one) without their SDK clients: @aws-sdk/client-ec2 alone
 * bundles to ~850 KB, above a whole function's size budget, for three read
 * calls a sweep makes. The signer, its SHA-256 and the XML parser are the
 * ones the S3 and CloudFormation clients already bundle (as in
 * instance-address.ts), so these calls add almost nothing. Each is retried
 * on throttling and 5xx, as the SDK would.
 */

/** Where and as whom to call. */
export interface AwsAccess {
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The environment, for `AWS_ENDPOINT_URL_<SERVICE>` and `AWS_ENDPOINT_URL`, as the SDK reads them. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** An XML element as the SDK's parser gives it: text, one child, or a list of same-named children. */
export type XmlValue = string | XmlElement | XmlValue[] | undefined;
export interface XmlElement {
  readonly [name: string]: XmlValue;
}

/** The children of an element that a list holds (`<item>`s), whether one or many. */
export function itemsOf(value: XmlValue): XmlElement[] {
  const element = Array.isArray(value) ? value[0] : value;
  if (element === undefined || typeof element === "string" || Array.isArray(element)) return [];
  const items = element["item"];
  const list = Array.isArray(items) ? items : items === undefined ? [] : [items];
  return list.filter((i): i is XmlElement => typeof i === "object" && !Array.isArray(i));
}

/** The text of a child element, if any. */
export function textOf(element: XmlElement, name: string): string | undefined {
  const value = element[name];
  const leaf = Array.isArray(value) ? value[0] : value;
  return typeof leaf === "string" && leaf !== "" ? leaf : undefined;
}

/** The child element of this name, if any. */
export function childOf(element: XmlElement, name: string): XmlElement | undefined {
  const value = element[name];
  const child = Array.isArray(value) ? value[0] : value;
  return typeof child === "object" && !Array.isArray(child) ? child : undefined;
}

const HOSTS: Record<string, (region: string) => string> = {
  ec2: (region) => `https://ec2.${region}.amazonaws.com/`,
  pricing: (region) => `https://api.pricing.${region}.amazonaws.com/`,
};

function endpointOf(access: AwsAccess, service: string, region: string): URL {
  const override =
    access.env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] ?? access.env["AWS_ENDPOINT_URL"];
  return new URL(override ?? (HOSTS[service] ?? HOSTS["ec2"])!(region));
}

/** An AWS error answer as the handlers' fault rules read it (name, HTTP status). */
class AwsCallError extends Error {
  readonly $metadata: { readonly httpStatusCode: number };
  constructor(code: string, status: number, what: string) {
    super(`${what} failed: ${code}`);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}

const RETRIED =
  /^(Throttling|ThrottlingException|RequestLimitExceeded|TooManyRequestsException|ServiceUnavailable|InternalError|InternalFailure)$/;
const ATTEMPTS = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One signed POST, retried with backoff on throttling and 5xx; the answer's text. */
async function signedPost(
  access: AwsAccess,
  service: string,
  region: string,
  headers: Record<string, string>,
  body: string,
  codeOf: (answer: string) => string | undefined,
): Promise<string> {
  const url = endpointOf(access, service, region);
  const signer = new SignatureV4({
    service,
    region,
    credentials: access.credentials,
    sha256: Sha256,
  });
  for (let attempt = 1; ; attempt += 1) {
    const signed = await signer.sign({
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === "" ? undefined : Number(url.port),
      path: url.pathname,
      headers: { host: url.host, ...headers },
      body,
    });
    const response = await fetch(url, { method: "POST", headers: signed.headers, body });
    const answer = await response.text();
    if (response.ok) return answer;
    const code = codeOf(answer) ?? `HTTP ${response.status}`;
    if (attempt >= ATTEMPTS || !(response.status >= 500 || RETRIED.test(code)))
      throw new AwsCallError(code, response.status, `${service} call`);
    await sleep(100 * 2 ** attempt * Math.random());
  }
}

function queryErrorCode(answer: string): string | undefined {
  try {
    const root = parseXML(answer) as XmlElement;
    const errors = childOf(root, "Response") ?? childOf(root, "ErrorResponse");
    const error = errors === undefined ? undefined : (childOf(errors, "Errors") ?? errors);
    const first = error === undefined ? undefined : childOf(error, "Error");
    return first === undefined ? undefined : textOf(first, "Code");
  } catch {
    return undefined;
  }
}

/** A Query-protocol call (EC2): its answer's root element. */
export async function queryCall(
  access: AwsAccess,
  service: "ec2",
  version: string,
  params: Readonly<Record<string, string>>,
): Promise<XmlElement> {
  const body = new URLSearchParams({ ...params, Version: version }).toString();
  const answer = await signedPost(
    access,
    service,
    access.region,
    { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
    queryErrorCode,
  );
  const root = parseXML(answer) as XmlElement;
  const action = params["Action"] ?? "";
  return childOf(root, `${action}Response`) ?? root;
}

/** A JSON 1.1 call (the Price List API): its parsed answer. */
export async function jsonCall(
  access: AwsAccess,
  service: "pricing",
  region: string,
  target: string,
  input: unknown,
): Promise<unknown> {
  const answer = await signedPost(
    access,
    service,
    region,
    { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    JSON.stringify(input),
    (text) => {
      try {
        const error = JSON.parse(text) as { __type?: string; code?: string };
        return (error.__type ?? error.code)?.split("#").pop();
      } catch {
        return undefined;
      }
    },
  );
  return JSON.parse(answer) as unknown;
}
