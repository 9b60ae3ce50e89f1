import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

/*
 * The AWS Query protocol, as the fakes speak it to the AWS SDKs (JavaScript's
 * over loopback, boto3 in the rehearsal): a request is a form-encoded body
 * (`Action=…&Param.member.1=…`), an answer is XML. CloudFormation, SES, STS
 * and Auto Scaling wrap a result in `<ActionResponse><ActionResult>…` and an
 * error in `<ErrorResponse>`; EC2 has a dialect of its own, with no Result
 * element and its errors in `<Response><Errors>`. The loopback fakes
 * (fake-cloudformation.ts and fake-ec2-pricing.ts, and the modules they are
 * made of) build on this module, and so does the rehearsal's fake AWS
 * (rehearsal/fake-aws/), whose EC2, Auto Scaling and CloudFormation answer
 * in it and whose S3 and Secrets Manager write its QueryError in their own
 * formats.
 */

/** The two shapes a Query answer takes: EC2's, and every other service's. */
export type QueryDialect = "query" | "ec2";

/** How a service writes its answers: its XML namespace and its dialect ("query" unless said). */
export interface QueryFormat {
  readonly namespace: string;
  readonly dialect?: QueryDialect;
}

/** An error a service answers with: its code, its message and the HTTP status. */
export class QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = "QueryError";
  }
}

/** A request's whole body, as bytes. */
export async function bodyBytes(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A request's whole body, as text. */
export const bodyOf = async (request: IncomingMessage): Promise<string> =>
  (await bodyBytes(request)).toString("utf8");

/** A Query request's parameters, from its form-encoded body. */
export const parseForm = (body: string) => new URLSearchParams(body);

/** Text made safe for XML content and attribute values. */
export const xmlEscape = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");

/** `<name>value</name>`, the value written out and escaped; nothing for `undefined`. */
export const tag = (name: string, value: string | number | boolean | undefined) =>
  value === undefined ? "" : `<${name}>${xmlEscape(String(value))}</${name}>`;

/** A list's items, each already XML, as `<member>` elements (EC2 names them `<item>`). */
export const members = (items: readonly string[], element = "member") =>
  items.map((item) => `<${element}>${item}</${element}>`).join("");

/**
 * A list parameter's values, in order: `Prefix.member.1`, `Prefix.member.2`…
 * (or EC2's `Prefix.1`, `Prefix.2`…), up to the first missing index.
 */
export function listParameter(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let i = 1; ; i += 1) {
    const value = params.get(`${prefix}.member.${i}`) ?? params.get(`${prefix}.${i}`);
    if (value === null) return values;
    values.push(value);
  }
}

/**
 * A list of key-value structures as a record: `Prefix.member.N.<key>` →
 * `Prefix.member.N.<value>` (CloudFormation's `Parameters` and `Tags`), or
 * EC2's `Prefix.N.<key>` → `Prefix.N.<value>`, up to the first missing index.
 */
export function memberMap(
  params: URLSearchParams,
  prefix: string,
  [keyField, valueField]: readonly [string, string],
): Record<string, string> {
  const map: Record<string, string> = {};
  for (let i = 1; ; i += 1) {
    const entry = [`${prefix}.member.${i}`, `${prefix}.${i}`].find((base) =>
      params.has(`${base}.${keyField}`),
    );
    if (entry === undefined) return map;
    map[params.get(`${entry}.${keyField}`) ?? ""] = params.get(`${entry}.${valueField}`) ?? "";
  }
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * A successful answer to `action`, around `result` (already XML), in the
 * service's namespace.
 */
export function queryResponse(
  action: string,
  result: string,
  { namespace, dialect = "query" }: QueryFormat,
): string {
  const requestId = randomUUID();
  const body =
    dialect === "ec2"
      ? `<requestId>${requestId}</requestId>${result}`
      : `<${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
  return `${XML_DECLARATION}<${action}Response xmlns="${namespace}">${body}</${action}Response>`;
}

/** An error answer: its code and message, in the dialect's envelope. */
export function queryErrorResponse(error: QueryError, dialect: QueryDialect = "query"): string {
  const requestId = randomUUID();
  const detail = tag("Code", error.code) + tag("Message", error.message);
  return dialect === "ec2"
    ? `${XML_DECLARATION}<Response><Errors><Error>${detail}</Error></Errors><RequestID>${requestId}</RequestID></Response>`
    : `${XML_DECLARATION}<ErrorResponse><Error><Type>Sender</Type>${detail}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
