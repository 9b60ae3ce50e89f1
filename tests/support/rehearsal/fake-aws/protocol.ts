import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { QueryFormat } from "../../query-protocol.js";

/*
 * What the rehearsal's fake AWS adds to the wire protocols the nodes speak
 * through boto3: the SigV4 credential scope a request is routed by, the
 * namespace and dialect of each Query service it serves (the Query protocol
 * itself is ../../query-protocol.ts's), an answer with AWS's headers, and
 * AWS's timestamps.
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

const QUERY_FORMATS: Record<string, QueryFormat> = {
  cloudformation: { namespace: "http://cloudformation.amazonaws.com/doc/2010-05-15/" },
  autoscaling: { namespace: "http://autoscaling.amazonaws.com/doc/2011-01-01/" },
  ec2: { namespace: "http://ec2.amazonaws.com/doc/2016-11-15/", dialect: "ec2" },
};

/** How a Query service (by its SigV4 name) answers; no namespace for one the fake does not serve. */
export const queryFormatOf = (service: string): QueryFormat =>
  QUERY_FORMATS[service] ?? { namespace: "" };

/** Answers `body` with its status, type and length, and a request id as AWS does. */
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
