import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import {
  bodyOf,
  QueryError,
  queryErrorResponse,
  queryResponse,
  type QueryDialect,
} from "./query-protocol.js";

/*
 * How the loopback fakes of AWS services serve: an HTTP server on a free
 * loopback port that reads each request's body and writes back what the
 * fake answers (with a request id, as AWS's answers carry one), and the
 * Query protocol's answer to one call: the fake's result in the service's
 * envelope, or the error it refused the call with. The envelopes
 * themselves are query-protocol.ts's.
 */

/** An HTTP answer: status, content type and body. */
export interface Answer {
  readonly status: number;
  readonly type: string;
  readonly text: string;
}

/** A fake's server on loopback: its URL, and how to close it. */
export interface LoopbackServer {
  readonly url: string;
  close(): Promise<void>;
}

/** How a fake answers one request: from its body and headers. */
type Serve = (body: string, headers: IncomingHttpHeaders) => Answer | Promise<Answer>;

/** Serves `serve`'s answers on a free loopback port; a request it throws on is a 500 naming the error. */
export async function serveOnLoopback(serve: Serve): Promise<LoopbackServer> {
  const server = createServer((request, response) => {
    void bodyOf(request)
      .then((body) => serve(body, request.headers))
      .catch((error: unknown): Answer => ({ status: 500, type: "text/plain", text: String(error) }))
      .then(({ status, type, text }) => {
        response.writeHead(status, { "content-type": type, "x-amzn-requestid": randomUUID() });
        response.end(text);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A Query service's answers: their XML namespace and dialect. */
export interface QueryService {
  readonly namespace: string;
  readonly dialect?: QueryDialect;
}

/**
 * The answer to one Query call of `action`: `act`'s result in the service's
 * envelope, or the error it threw in the error envelope (a QueryError as it
 * is, anything else as an InternalFailure).
 */
export function answerQuery(action: string, act: () => string, service: QueryService): Answer {
  try {
    return { status: 200, type: "text/xml", text: queryResponse(action, act(), service) };
  } catch (error) {
    const refused =
      error instanceof QueryError ? error : new QueryError("InternalFailure", String(error), 500);
    return {
      status: refused.status,
      type: "text/xml",
      text: queryErrorResponse(refused, service.dialect),
    };
  }
}
