/*
 * How a function's executions are shared between users' uploads and the
 * system's own events. Plain numbers, with no cdktf, so the settings (which
 * the CLI loads) can check a reservation leaves room for both.
 */

/**
 * Executions of each function that users' uploads can never take: however
 * deep a flood, stack-status events and the lifetime sweep always find this
 * many free. Two, so that a create's and a delete's outcome of one cluster
 * never wait on each other either.
 */
export const SYSTEM_HEADROOM = 2;

/** SQS's floor for an event source mapping's maximum concurrency. */
const MIN_UPLOAD_CONCURRENCY = 2;

/**
 * The smallest reserved concurrency a function can have: the uploads' least
 * share plus the headroom. The settings refuse less.
 */
export const MIN_RESERVED_CONCURRENCY = MIN_UPLOAD_CONCURRENCY + SYSTEM_HEADROOM;

/** Uploads' share of an unreserved function, which has no reservation to take the headroom from. */
const UNRESERVED_UPLOAD_CONCURRENCY = 8;

/**
 * How many executions the uploads of one function may take at once: its
 * reserved concurrency less {@link SYSTEM_HEADROOM}, or, for an unreserved
 * function, {@link UNRESERVED_UPLOAD_CONCURRENCY}.
 */
export function uploadConcurrency(reserved: number | undefined): number {
  if (reserved === undefined) return UNRESERVED_UPLOAD_CONCURRENCY;
  if (reserved < MIN_RESERVED_CONCURRENCY) {
    throw new Error(
      `A reserved concurrency of ${reserved} leaves uploads fewer than ${MIN_UPLOAD_CONCURRENCY} executions; reserve at least ${MIN_RESERVED_CONCURRENCY}.`,
    );
  }
  return reserved - SYSTEM_HEADROOM;
}
