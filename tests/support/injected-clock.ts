import { ServerResponse } from "node:http";
import sinon from "sinon";

/*
 * An injected clock for tests that run the built bundles in-process against
 * the local servers: sinon fakes `Date` only, so timers (and the SDK's
 * retries, and the servers) run in real time while the date is whatever the
 * test says. Node's HTTP servers stamp responses with the real date (its
 * internals keep the real `Date`), and the SDK would take the difference for
 * clock skew and sign with the real date, which s3rver then refuses; so
 * while the clock is injected every response carries the injected date.
 */

export interface InjectedClock {
  /** Moves the clock to `ms` since the epoch. */
  set(ms: number): void;
  restore(): void;
}

export function injectClock(nowMs: number): InjectedClock {
  const clock = sinon.useFakeTimers({ now: nowMs, toFake: ["Date"] });
  const original = ServerResponse.prototype.writeHead;
  ServerResponse.prototype.writeHead = function (
    this: ServerResponse,
    ...args: Parameters<ServerResponse["writeHead"]>
  ) {
    if (!this.headersSent) this.setHeader("Date", new Date().toUTCString());
    return original.apply(this, args);
  } as ServerResponse["writeHead"];
  return {
    set: (ms) => clock.setSystemTime(ms),
    restore: () => {
      ServerResponse.prototype.writeHead = original;
      clock.restore();
    },
  };
}

/**
 * The clock handler tests inject as their dependencies' `now`: it follows
 * the system's (so a faked `Date` moves it too) until a test sets it, then
 * stands still until set or advanced again.
 */
export interface ManualClock {
  now(): number;
  /** Stops the clock at `ms` since the epoch. */
  set(ms: number): void;
  /** Moves the clock on by `ms` (from the system's time, if it was not set). */
  advance(ms: number): void;
}

export function manualClock(): ManualClock {
  let fixed: number | undefined;
  const now = () => fixed ?? Date.now();
  return {
    now,
    set: (ms) => {
      fixed = ms;
    },
    advance: (ms) => {
      fixed = now() + ms;
    },
  };
}
