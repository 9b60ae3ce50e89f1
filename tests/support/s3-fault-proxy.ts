import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Stands between the handlers and s3rver, forwarding every request, except
 * that it answers with a 503 the next `times` requests of a method whose key
 * matches a pattern: an S3 write fault, as a real outage would give one.
 */
export class S3FaultProxy {
  private server: Server | undefined;
  private readonly faults: Array<{ method: string; key: RegExp; times: number }> = [];
  /** Requests it failed on purpose: method and path. */
  readonly failed: string[] = [];
  /** How long to hold each request before forwarding it, in ms (S3's own latency); none by default. */
  latencyMs: () => number = () => 0;
  url = "";

  constructor(private readonly target: string) {}

  /** Fails the next `times` requests of `method` whose path matches `key`. */
  fail(method: string, key: RegExp, times: number): void {
    this.faults.push({ method, key, times });
  }

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      const delay = this.latencyMs();
      if (delay > 0) setTimeout(() => this.answer(target, req, res), delay);
      else this.answer(target, req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  private answer(target: URL, req: IncomingMessage, res: ServerResponse): void {
    const fault = this.faults.find(
      (f) =>
        f.times > 0 && f.method === req.method && f.key.test(decodeURIComponent(req.url ?? "")),
    );
    if (fault !== undefined) {
      fault.times -= 1;
      this.failed.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(503, { "content-type": "application/xml" });
      res.end("<Error><Code>ServiceUnavailable</Code><Message>Injected fault</Message></Error>");
      return;
    }
    // A connection of its own each time: a kept one may have been closed by
    // s3rver while a test held the event loop (a write to it fails, EPIPE).
    const forward = request(
      {
        agent: false,
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forward);
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
