import { Worker } from "node:worker_threads";
import type { ZoneSnapshot } from "./dns.js";

/*
 * The VPC resolver (dns.ts) on its own thread: what it answers must not wait
 * for the fake's event loop, which is busy for a while at times (TLS,
 * IAM decisions, starting nodes), nor for the nodes' load on the host, as
 * AWS's resolver never waits for anything of the account's. The fake sends it
 * a snapshot of the names after every change and waits for it to take it in,
 * so that an instance's names resolve before its machine boots.
 */

/** Every query is answered within this, whatever the fake's main thread is doing (tests/rehearsal/resolver.test.ts). */
export const RESOLVER_BOUND_MS = 250;

const WORKER = new URL("./vpc-resolver-worker.ts", import.meta.url).href;
// Node 20 does not hand --import hooks (tsx) to a worker: it loads tsx itself.
const BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})
  .then(({ register }) => { register(); return import(${JSON.stringify(WORKER)}); });`;

export class VpcResolver {
  private version = 0;
  private readonly applied = new Map<number, () => void>();

  private constructor(
    private readonly worker: Worker,
    /** The UDP port it answers on (53, unless a test asked for any). */
    readonly port: number,
  ) {
    worker.on("message", (message: { applied?: number }) => {
      if (message.applied === undefined) return;
      for (const [version, done] of this.applied) {
        if (version <= message.applied) {
          this.applied.delete(version);
          done();
        }
      }
    });
  }

  /** Starts the resolver on `address`:`port` (0: any free port) with `snapshot`'s names. */
  static async start(address: string, snapshot: ZoneSnapshot, port = 53): Promise<VpcResolver> {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { address, port, snapshot } });
    const bound = await new Promise<number>((resolve, reject) => {
      worker.once("error", reject);
      worker.once("message", (message: { port?: number }) => resolve(message.port ?? 0));
    });
    worker.on("error", (error) => console.error("fake-aws: the VPC resolver failed:", error));
    return new VpcResolver(worker, bound);
  }

  /** Replaces the names it answers; resolves once it answers with them. */
  update(snapshot: ZoneSnapshot): Promise<void> {
    this.version += 1;
    const version = this.version;
    return new Promise((resolve) => {
      this.applied.set(version, resolve);
      this.worker.postMessage({ version, snapshot });
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
