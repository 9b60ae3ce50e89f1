/* What the Lambda model (lambda-model.ts) records of each invocation, and of each event it gives up on. */

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
  /**
   * When cold, the new environment's init, timed by this model: for a
   * process environment, from spawning `node` to the bundle imported.
   */
  readonly initMs: number;
  /** The handler's run, as the environment timed it. */
  readonly durationMs: number;
  /** performance.now() when it ended: its start, its init and its duration later. */
  readonly endedAt: number;
  /** The environment's CPU time during the run (see `InvocationOutcome.cpuMs`, lambda-environment.ts). */
  readonly cpuMs: number;
  /** What Lambda bills: init (when cold) and duration, rounded up to the millisecond. */
  readonly billedMs: number;
  readonly failed: boolean;
}

/** An event Lambda gave up on. */
export interface DeadLetter {
  readonly kind: string;
  readonly event: unknown;
  readonly error: unknown;
}
