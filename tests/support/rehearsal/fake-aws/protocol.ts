import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/*
 * The AWS wire protocols the nodes speak through boto3: SigV4-signed
 * requests routed by the credential scope's service name, the Query
 * protocol (form-encoded parameters, XML answers: EC2, Auto Scaling,
 * CloudFormation), JSON 1.1 (Secrets Manager) and S3's REST.
 */

/** What a signed request says about its sender and target. */
export interface Signed {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
}

/** The credential scope of a SigV4 `Authorization` header, or undefined if unsigned. */
export function signatureOf(request: IncomingMessage): Signed | undefined {
  const header = request.headers["authorization"] ?? "";
  const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(header);
  if (match === null) return undefined;
  return { accessKeyId: match[1] ?? "", region: match[2] ?? "", service: match[3] ?? "" };
}

export async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** An error AWS would answer with: a code, a message and an HTTP status. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = "AwsError";
  }
}

export const xmlEscape = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** `<name>value</name>`, or nothing for undefined. */
export const tag = (name: string, value: string | number | boolean | undefined) =>
  value === undefined ? "" : `<${name}>${xmlEscape(String(value))}</${name}>`;

/** A list of `<member>` items (`<item>` for EC2). */
export const members = (items: readonly string[], element = "member") =>
  items.map((item) => `<${element}>${item}</${element}>`).join("");

/** `Prefix.member.N` (or `Prefix.N`) values of a Query request, in order. */
export function listParameter(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let i = 1; ; i += 1) {
    const value = params.get(`${prefix}.member.${i}`) ?? params.get(`${prefix}.${i}`);
    if (value === null) return values;
    values.push(value);
  }
}

const QUERY_NAMESPACES: Record<string, string> = {
  cloudformation: "http://cloudformation.amazonaws.com/doc/2010-05-15/",
  autoscaling: "http://autoscaling.amazonaws.com/doc/2011-01-01/",
  ec2: "http://ec2.amazonaws.com/doc/2016-11-15/",
};

/** A Query protocol answer: `<ActionResponse><ActionResult>…` (EC2 has no Result element). */
export function queryResponse(service: string, action: string, result: string): string {
  const namespace = QUERY_NAMESPACES[service] ?? "";
  const requestId = randomUUID();
  if (service === "ec2") {
    return `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${namespace}"><requestId>${requestId}</requestId>${result}</${action}Response>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${namespace}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

/** A Query protocol error, in EC2's or the other services' shape. */
export function queryError(service: string, error: AwsError): string {
  const requestId = randomUUID();
  if (service === "ec2") {
    return `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>${tag("Code", error.code)}${tag("Message", error.message)}</Error></Errors><RequestID>${requestId}</RequestID></Response>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type>${tag("Code", error.code)}${tag("Message", error.message)}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

export function send(
  response: ServerResponse,
  status: number,
  body: string | Buffer,
  type = "text/xml",
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": randomUUID(),
    ...headers,
  });
  response.end(body);
}

/** An ISO 8601 timestamp as AWS writes them. */
export const isoTime = (time: number) => new Date(time).toISOString();
