import { randomUUID } from "node:crypto";

/*
 * A function as Lambda runs it for asynchronous invocations (S3 notifications
 * and EventBridge both invoke that way): events queue; at most
 * `reservedConcurrency` run at once, each in an execution environment of its
 * own, cold-started on first use and kept warm for the next event; an event
 * whose invocation throws is retried twice, after a delay and a longer one;
 * after that it goes to the dead-letter queue. Every invocation's duration is
 * recorded, with the billed figure Lambda would charge (rounded up to 1 ms).
 *
 * Environments here are module instances in one Node process (the bundle
 * imported afresh; its chunks are shared), so they share the process's CPU:
 * under a storm a duration includes waiting for the event loop.
 */

export type Handler = (event: unknown, context: unknown) => Promise<void>;

/** One run of the handler. */
export interface Invocation {
  readonly kind: string;
  /** 0 for the first delivery, 1 and 2 for Lambda's retries. */
  readonly attempt: number;
  /** Whether a new execution environment was started for it. */
  readonly cold: boolean;
  /** Time to load the bundle into the new environment, when cold. */
  readonly initMs: number;
  readonly durationMs: number;
  /**
   * CPU time this process spent (user + system) during the invocation. It
   * is the handler's own work only when the invocation ran alone and the
   * servers it calls ran in another process; otherwise it includes theirs.
   */
  readonly cpuMs: number;
  /** What Lambda bills for the handler's run: its duration rounded up to the millisecond. */
  readonly billedMs: number;
  readonly failed: boolean;
}

/** An event Lambda gave up on. */
export interface DeadLetter {
  readonly kind: string;
  readonly event: unknown;
  readonly error: unknown;
}

export interface LambdaModelOptions {
  readonly name: string;
  readonly reservedConcurrency: number;
  /** Starts a new execution environment: loads the bundle afresh and returns its handler. */
  readonly coldStart: () => Promise<Handler>;
  /** Lambda waits about 1 and then 2 minutes before its retries; a benchmark scales them down. */
  readonly retryDelaysMs: readonly [number, number];
  /** A label for an event, to group durations by what the event was. */
  readonly kindOf: (event: unknown) => string;
}

interface Queued {
  readonly event: unknown;
  readonly attempt: number;
  readonly requestId: string;
}

export class LambdaModel {
  readonly invocations: Invocation[] = [];
  readonly deadLetters: DeadLetter[] = [];
  /** Execution environments started so far. */
  environments = 0;
  private readonly idle: Handler[] = [];
  private busy = 0;
  private readonly queue: Queued[] = [];
  /** Events accepted and not yet done with: queued, running, or waiting to be retried. */
  private outstanding = 0;
  /** Called at each recorded invocation, and when the last outstanding event is done with. */
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: LambdaModelOptions) {}

  /** Accepts an event, as Lambda's asynchronous Invoke does: it runs when a slot is free. */
  invokeAsync(event: unknown): void {
    this.outstanding += 1;
    this.enqueue({ event, attempt: 0, requestId: randomUUID() });
  }

  /** Whether every event accepted so far is done with (succeeded or dead-lettered). */
  get quiet(): boolean {
    return this.outstanding === 0;
  }

  /**
   * Resolves when no event is outstanding (at once if none is). A waiter is
   * woken by the model, not by polling, so nothing runs beside an invocation.
   */
  settled(): Promise<void> {
    return this.when(() => this.quiet);
  }

  /** The first invocation from index `since` on that matches, once it has been recorded. */
  async invoked(since: number, matches: (i: Invocation) => boolean): Promise<Invocation> {
    let found: Invocation | undefined;
    await this.when(() => (found = this.invocations.slice(since).find(matches)) !== undefined);
    return found as Invocation;
  }

  private when(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        this.listeners.delete(check);
        resolve();
      };
      this.listeners.add(check);
    });
  }

  /** How many invocations were retries. */
  get retries(): number {
    return this.invocations.filter((i) => i.attempt > 0).length;
  }

  private enqueue(item: Queued): void {
    this.queue.push(item);
    this.pump();
  }

  private pump(): void {
    while (
      this.queue.length > 0 &&
      (this.idle.length > 0 || this.busy < this.options.reservedConcurrency)
    ) {
      const item = this.queue.shift();
      if (item === undefined) return;
      this.busy += 1;
      void this.run(item);
    }
  }

  private async run(item: Queued): Promise<void> {
    const kind = this.options.kindOf(item.event);
    let environment = this.idle.pop();
    let initMs = 0;
    let error: unknown;
    let durationMs = 0;
    let cpuMs = 0;
    try {
      if (environment === undefined) {
        const started = performance.now();
        this.environments += 1;
        environment = await this.options.coldStart();
        initMs = performance.now() - started;
      }
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      try {
        await environment(item.event, this.context(item.requestId));
      } catch (thrown) {
        error = thrown ?? new Error("handler threw");
      }
      durationMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      cpuMs = (cpu.user + cpu.system) / 1000;
      this.idle.push(environment);
    } catch (initError) {
      // A failed cold start is a failed invocation, and the environment is not kept.
      error = initError ?? new Error("cold start failed");
    }
    this.invocations.push({
      kind,
      attempt: item.attempt,
      cold: initMs > 0,
      initMs,
      durationMs,
      cpuMs,
      billedMs: Math.ceil(durationMs),
      failed: error !== undefined,
    });
    this.busy -= 1;
    if (error === undefined) {
      this.outstanding -= 1;
    } else if (item.attempt < this.options.retryDelaysMs.length) {
      const delay = this.options.retryDelaysMs[item.attempt] ?? 0;
      setTimeout(() => this.enqueue({ ...item, attempt: item.attempt + 1 }), delay);
    } else {
      this.deadLetters.push({ kind, event: item.event, error });
      this.outstanding -= 1;
    }
    for (const check of [...this.listeners]) check();
    this.pump();
  }

  private context(requestId: string): unknown {
    return {
      functionName: this.options.name,
      awsRequestId: requestId,
      invokedFunctionArn: `arn:aws:lambda:eu-west-2:111122223333:function:${this.options.name}`,
      memoryLimitInMB: "256",
      functionVersion: "$LATEST",
    };
  }
}
