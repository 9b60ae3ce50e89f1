import type { Logger } from "@aws-lambda-powertools/logger";

/**
 * What the handlers log through: one structured JSON line per decision, with
 * the user, cluster, stack and request id as keys. Powertools' Logger fits it;
 * tests pass a recorder.
 */
export interface DecisionLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Powertools' Logger seen as a {@link DecisionLog}: extra keys become fields of the JSON line. */
export function decisionLogOf(logger: Logger): DecisionLog {
  return {
    info: (message, extra) =>
      extra === undefined ? logger.info(message) : logger.info(message, extra),
    warn: (message, extra) =>
      extra === undefined ? logger.warn(message) : logger.warn(message, extra),
    error: (message, extra) =>
      extra === undefined ? logger.error(message) : logger.error(message, extra),
  };
}

/** A log whose every line also carries `keys` (user, cluster, stack…). */
export function withKeys(log: DecisionLog, keys: object): DecisionLog {
  return {
    info: (message, extra) => log.info(message, { ...keys, ...extra }),
    warn: (message, extra) => log.warn(message, { ...keys, ...extra }),
    error: (message, extra) => log.error(message, { ...keys, ...extra }),
  };
}
