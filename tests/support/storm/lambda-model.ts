import { randomUUID } from "node:crypto";
import type { SqsBatchResponse } from "../../../functions/shared/s3-event.js";
import { queueEvent } from "../upload-queue.js";
import type { ExecutionEnvironment, InvocationOutcome } from "./lambda-environment.js";
import type { DeadLetter, Invocation } from "./lambda-invocation.js";

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
 * execution environment of its own (lambda-environment.ts), cold-started on
 * first use and kept warm for the next event. Every invocation's wait, init
 * and duration are recorded, with the figure Lambda bills: since August 2025
 * it bills the INIT phase too, so a cold invocation's billed time is its
 * init and its duration, rounded up to 1 ms.
 */

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
  /** Starts a new execution environment: loads the bundle afresh. */
  readonly coldStart: () => Promise<ExecutionEnvironment>;
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
  /**
   * Whether an environment is kept for the next event after an invocation
   * (Lambda keeps it for a while); false ends it, so every event is cold, as
   * when events come further apart than Lambda keeps idle environments.
   */
  reuseEnvironments = true;
  private readonly idle: ExecutionEnvironment[] = [];
  /** Every environment started, to end them at {@link close}. */
  private readonly started: ExecutionEnvironment[] = [];
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
  private closed = false;

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

  /** Ends the idle environments, as Lambda reclaims them: the next events start cold. */
  retireIdle(): void {
    for (const environment of this.idle.splice(0)) environment.close();
  }

  /** Ends every environment (a process environment's process); nothing starts after. */
  close(): void {
    this.closed = true;
    for (const environment of this.started.splice(0)) environment.close();
    this.idle.length = 0;
  }

  private enqueue(item: Queued): void {
    (item.source === "queue" ? this.messages : this.queue).push(item);
    this.pump();
  }

  /** Starts what may start: asynchronous events first, uploads while the mapping's cap allows. */
  private pump(): void {
    const uploads = this.options.uploads;
    while (!this.closed && this.busy < this.options.reservedConcurrency) {
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
    const startedAt = performance.now();
    let environment = this.idle.pop();
    const cold = environment === undefined;
    let initMs = 0;
    let outcome: InvocationOutcome;
    try {
      if (environment === undefined) {
        this.environments += 1;
        environment = await this.options.coldStart();
        initMs = performance.now() - startedAt;
        this.started.push(environment);
        // Started as the model was closed: end it too.
        if (this.closed) this.close();
      }
      outcome = await this.invoke(environment, item);
      if (this.reuseEnvironments) this.idle.push(environment);
      else environment.close();
    } catch (initError) {
      // A failed cold start is a failed invocation, and the environment is not kept.
      outcome = { error: initError ?? new Error("cold start failed"), durationMs: 0, cpuMs: 0 };
    }
    this.record(item, { startedAt, cold, initMs }, outcome);
  }

  /** Runs the event in the environment; an upload's failure is the SQS batch response's. */
  private async invoke(
    environment: ExecutionEnvironment,
    item: Queued,
  ): Promise<InvocationOutcome> {
    if (item.source === "async")
      return environment.invoke(item.event, this.context(item.requestId));
    const records = (item.event as { Records: unknown[] }).Records;
    const outcome = await environment.invoke(
      queueEvent(records, item.requestId),
      this.context(randomUUID()),
    );
    if (outcome.error !== undefined) return outcome;
    const response = outcome.response as SqsBatchResponse | undefined;
    if (!Array.isArray(response?.batchItemFailures))
      return {
        ...outcome,
        error: new Error(`the handler answered an SQS batch with ${JSON.stringify(response)}`),
      };
    return response.batchItemFailures.length > 0
      ? { ...outcome, error: new Error("the upload failed") }
      : outcome;
  }

  /** Records the invocation, then retries, dead-letters or settles its event, and starts what may start. */
  private record(
    item: Queued,
    { startedAt, cold, initMs }: { startedAt: number; cold: boolean; initMs: number },
    { error, durationMs, cpuMs }: InvocationOutcome,
  ): void {
    const kind = this.options.kindOf(item.event);
    this.invocations.push({
      kind,
      source: item.source,
      event: item.event,
      attempt: item.attempt,
      acceptedAt: item.acceptedAt,
      waitedMs: startedAt - item.readyAt,
      startedAt,
      cold,
      initMs,
      durationMs,
      endedAt: startedAt + initMs + durationMs,
      cpuMs,
      billedMs: Math.ceil(initMs + durationMs),
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
