import { randomUUID } from "node:crypto";
import type { SqsBatchResponse } from "../../../functions/shared/s3-event.js";
import { queueEvent } from "../upload-queue.js";

/*
 * A function as Lambda runs it, fed two ways:
 *
 * - asynchronous invocations (EventBridge's stack events and schedule):
 *   events queue; an event whose invocation throws is retried twice, after a
 *   delay and a longer one; after that it goes to the dead-letter queue;
 * - an upload queue's event source mapping (the users' uploads): messages
 *   wait in the queue, at most `maximumConcurrency` of them run at once, one
 *   per invocation, and a message the function reports failed is received
 *   again after the visibility timeout, until its last receive parks it in the
 *   dead-letter queue.
 *
 * At most `reservedConcurrency` invocations run at once in all, each in an
 * execution environment of its own, cold-started on first use and kept warm
 * for the next event. Every invocation's wait and duration are recorded, with
 * the billed figure Lambda would charge (rounded up to 1 ms).
 *
 * Environments here are module instances in one Node process (the bundle
 * imported afresh; its chunks are shared), so they share the process's CPU:
 * under a storm a duration includes waiting for the event loop.
 */

export type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** One run of the handler. */
export interface Invocation {
  readonly kind: string;
  /** How the event came: an upload from the queue, or an asynchronous invocation. */
  readonly source: "queue" | "async";
  /** The event as first delivered: for an upload, S3's notification of it. */
  readonly event: unknown;
  /** 0 for the first delivery, then 1, 2… for Lambda's retries or SQS's receives again. */
  readonly attempt: number;
  /** performance.now() when the event was first accepted (invoked, or sent to the queue). */
  readonly acceptedAt: number;
  /** Time from being accepted (or made visible again) to starting. */
  readonly waitedMs: number;
  /** performance.now() when it started. */
  readonly startedAt: number;
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
  /** The upload queue's mapping: how many uploads may run at once, and receives before parking one. */
  readonly uploads?: {
    readonly maximumConcurrency: number;
    readonly maxReceives: number;
    /** The visibility timeout, scaled to the run. */
    readonly visibilityTimeoutMs: number;
  };
  /** Starts a new execution environment: loads the bundle afresh and returns its handler. */
  readonly coldStart: () => Promise<Handler>;
  /** Lambda waits about 1 and then 2 minutes before its retries; a benchmark scales them down. */
  readonly retryDelaysMs: readonly [number, number];
  /** A label for an event, to group durations by what the event was. */
  readonly kindOf: (event: unknown) => string;
}

interface Queued {
  readonly event: unknown;
  readonly source: "queue" | "async";
  readonly attempt: number;
  readonly requestId: string;
  readonly acceptedAt: number;
  /** When it last became ready to run. */
  readonly readyAt: number;
}

export class LambdaModel {
  readonly invocations: Invocation[] = [];
  readonly deadLetters: DeadLetter[] = [];
  /** Execution environments started so far. */
  environments = 0;
  private readonly idle: Handler[] = [];
  private busy = 0;
  /** Invocations running uploads from the queue. */
  private uploadsBusy = 0;
  private readonly queue: Queued[] = [];
  /** The upload queue's visible messages, oldest first. */
  private readonly messages: Queued[] = [];
  /** Events accepted and not yet done with: queued, running, or waiting to be retried. */
  private outstanding = 0;
  /** Called at each recorded invocation, and when the last outstanding event is done with. */
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: LambdaModelOptions) {}

  /** Accepts an event, as Lambda's asynchronous Invoke does: it runs when a slot is free. */
  invokeAsync(event: unknown): void {
    this.outstanding += 1;
    const now = performance.now();
    this.enqueue({
      event,
      source: "async",
      attempt: 0,
      requestId: randomUUID(),
      acceptedAt: now,
      readyAt: now,
    });
  }

  /** Accepts an S3 notification into the upload queue, as S3 sends it there. */
  sendToQueue(notification: unknown): void {
    if (this.options.uploads === undefined) throw new Error(`${this.options.name} has no queue`);
    this.outstanding += 1;
    const now = performance.now();
    this.enqueue({
      event: notification,
      source: "queue",
      attempt: 0,
      requestId: randomUUID(),
      acceptedAt: now,
      readyAt: now,
    });
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
    (item.source === "queue" ? this.messages : this.queue).push(item);
    this.pump();
  }

  /** Starts what may start: asynchronous events first, uploads while the mapping's cap allows. */
  private pump(): void {
    const uploads = this.options.uploads;
    while (this.busy < this.options.reservedConcurrency) {
      const item =
        this.queue.shift() ??
        (uploads !== undefined && this.uploadsBusy < uploads.maximumConcurrency
          ? this.messages.shift()
          : undefined);
      if (item === undefined) return;
      this.busy += 1;
      if (item.source === "queue") this.uploadsBusy += 1;
      void this.run(item);
    }
  }

  private async run(item: Queued): Promise<void> {
    const kind = this.options.kindOf(item.event);
    const startedAt = performance.now();
    const waitedMs = startedAt - item.readyAt;
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
        if (item.source === "async") {
          await environment(item.event, this.context(item.requestId));
        } else {
          const records = (item.event as { Records: unknown[] }).Records;
          const response = (await environment(
            queueEvent(records, item.requestId),
            this.context(randomUUID()),
          )) as SqsBatchResponse | undefined;
          if (!Array.isArray(response?.batchItemFailures))
            throw new Error(`the handler answered an SQS batch with ${JSON.stringify(response)}`);
          if (response.batchItemFailures.length > 0) throw new Error("the upload failed");
        }
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
      source: item.source,
      event: item.event,
      attempt: item.attempt,
      acceptedAt: item.acceptedAt,
      waitedMs,
      startedAt,
      cold: initMs > 0,
      initMs,
      durationMs,
      cpuMs,
      billedMs: Math.ceil(durationMs),
      failed: error !== undefined,
    });
    this.busy -= 1;
    if (item.source === "queue") this.uploadsBusy -= 1;
    const retries =
      item.source === "queue"
        ? Array.from(
            { length: (this.options.uploads?.maxReceives ?? 1) - 1 },
            () => this.options.uploads?.visibilityTimeoutMs ?? 0,
          )
        : this.options.retryDelaysMs;
    if (error === undefined) {
      this.outstanding -= 1;
    } else if (item.attempt < retries.length) {
      const delay = retries[item.attempt] ?? 0;
      setTimeout(
        () => this.enqueue({ ...item, attempt: item.attempt + 1, readyAt: performance.now() }),
        delay,
      );
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
