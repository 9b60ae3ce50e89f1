/*
 * Two kinds of trouble, kept apart as the house style asks. A user's mistake
 * (a bad config, an unknown user, a quota) ends in a `.cf-failed` file and a
 * successful invocation. A transient AWS fault is thrown, so Lambda's async
 * retry runs, and retrying is harmless because every step is idempotent.
 */

/** Something the user can fix; the reasons go into `.cf-failed`. */
export class UserFacingFailure extends Error {
  override readonly name = "UserFacingFailure";
  constructor(readonly reasons: readonly string[]) {
    super(reasons.join(" "));
  }
}

/** The deployment itself is broken (a bad template or policy object): the admin must act. */
export class DeploymentFault extends Error {
  override readonly name = "DeploymentFault";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const TRANSIENT_NAMES = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "RequestTimeout",
  "RequestTimeoutException",
  "ServiceUnavailable",
  "InternalError",
  "InternalFailure",
  "TimeoutError",
]);
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
]);

/**
 * Whether an AWS SDK error is worth retrying later: throttling, a 5xx, a
 * timeout or a dropped connection. The SDK has already retried it.
 */
export function isTransient(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as {
    name?: string;
    code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (e.$retryable !== undefined) return true;
  if (e.name !== undefined && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code !== undefined && NETWORK_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/** The error's name and message, for logs; never its whole object. */
export function describeError(error: unknown): { errorName: string; errorMessage: string } {
  return error instanceof Error
    ? { errorName: error.name, errorMessage: error.message }
    : { errorName: "NonError", errorMessage: String(error) };
}
