import { request } from "node:http";

/*
 * The test's requests to the fake AWS over its control socket (HTTP, JSON).
 * Each opens a connection of its own (no keep-alive): the test blocks its
 * event loop for as long as a command on a node takes (Cluster.exec's
 * spawnSync), and the fake closes a connection idle for 5 s (Node's
 * keepAliveTimeout), so a kept connection could be dead by the next request,
 * which would then fail writing to it (EPIPE) before it was ever sent.
 */

/** One control request to the server on `socket`; resolves with its JSON answer. */
export function controlRequest<T>(
  socket: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? "" : JSON.stringify(body);
    const req = request(
      {
        socketPath: socket,
        agent: false,
        method,
        path,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(text),
        },
      },
      (response) => {
        let data = "";
        response.on("data", (chunk: Buffer) => (data += chunk.toString()));
        response.on("end", () => {
          const value = JSON.parse(data || "{}") as T & { error?: string };
          if ((response.statusCode ?? 500) >= 400)
            reject(new Error(`fake AWS ${method} ${path}: ${value.error}`));
          else resolve(value);
        });
      },
    );
    req.on("error", reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`fake AWS ${method} ${path} timed out`)));
    req.end(text);
  });
}
