import yoctoSpinner from "yocto-spinner";
import {
  ageOf,
  clusterStates,
  type ClusterState,
  type HomeFile,
  type StateName,
} from "./cluster-state.js";
import { CliError } from "./cli-error.js";
import { EXIT, type Output } from "./output.js";
import type { UserBucket } from "./user-bucket.js";

export type WaitResult<T> =
  | { readonly kind: "done"; readonly value: T }
  | { readonly kind: "timeout" }
  | { readonly kind: "interrupted" };

/** What one look at the user's home found: the end of the wait, or what to show meanwhile. */
export type Probe<T> = { readonly done: T } | { readonly showing: string };

export interface PollOptions<T> {
  /** Decides from a listing of the home whether the wait is over. */
  readonly probe: (files: readonly HomeFile[]) => Probe<T>;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly signal?: AbortSignal | undefined;
}

export interface WaitOptions {
  readonly cluster: string;
  /** The states that end the wait. */
  readonly until: readonly StateName[];
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Resolves after `ms`, or at once when `signal` aborts. The abort listener
 * goes when the timer fires: a wait polls for an hour, and one listener left
 * per poll would pile up on the process's one signal.
 */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    signal?.addEventListener("abort", wake, { once: true });
  });
}

/**
 * Lists the user's home until `probe` says the wait is over, showing what it
 * says meanwhile and the elapsed time: a spinner on a terminal, one line per
 * change otherwise. Ctrl-C only stops the waiting; nothing is deleted. Only
 * the local clock's elapsed time is used, never compared with S3's times.
 */
export async function pollHome<T>(
  bucket: UserBucket,
  out: Output,
  options: PollOptions<T>,
): Promise<WaitResult<T>> {
  const started = Date.now();
  const spinner =
    out.io.stderr.isTTY === true && !out.json
      ? yoctoSpinner({ stream: out.io.stderr as NodeJS.WriteStream })
      : undefined;
  spinner?.start();
  let last: string | undefined;
  try {
    while (!(options.signal?.aborted ?? false)) {
      const seen = options.probe(await bucket.list());
      if ("done" in seen) return { kind: "done", value: seen.done };
      const text = `${seen.showing} (${ageOf(new Date(started), new Date())} elapsed)`;
      if (spinner !== undefined) spinner.text = text;
      else if (seen.showing !== last) out.note(text);
      last = seen.showing;
      if (Date.now() - started >= options.timeoutMs) return { kind: "timeout" };
      await sleep(
        Math.min(options.intervalMs, Math.max(0, options.timeoutMs - (Date.now() - started))),
        options.signal,
      );
    }
    return { kind: "interrupted" };
  } finally {
    spinner?.stop();
  }
}

/** Polls the user's home until the cluster reaches one of `until`: see {@link pollHome}. */
export function waitForCluster(
  bucket: UserBucket,
  out: Output,
  options: WaitOptions,
): Promise<WaitResult<ClusterState>> {
  return pollHome<ClusterState>(bucket, out, {
    ...options,
    probe: (files) => {
      const state = clusterStates(bucket.user, files).find((s) => s.cluster === options.cluster);
      if (state !== undefined && options.until.includes(state.state)) return { done: state };
      return { showing: `${options.cluster}: ${state?.state ?? "unknown"}` };
    },
  });
}

/** Parses a duration such as `90s`, `45m` or `2h` (a bare number is minutes). */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (match === null) return undefined;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000 }[(match[2] ?? "m") as "s" | "m" | "h"];
  return Number(match[1]) * unit;
}

/** The variable that sets how often `--wait` looks, in seconds. */
const POLL_VARIABLE = "FLIGHTDECK_POLL_SECONDS";

/**
 * How often `--wait` lists the home, in ms: FLIGHTDECK_POLL_SECONDS, else 5 s.
 * Anything but a number of seconds from 0.1 to 3600 is refused: a typo must
 * not turn into a poll every millisecond (a timer's NaN or 0), nor one so long
 * a timer cannot hold it (which fires at once, too).
 */
export function pollIntervalMs(env: Readonly<Record<string, string | undefined>>): number {
  const text = env[POLL_VARIABLE];
  if (text === undefined || text === "") return 5_000;
  const seconds = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds >= 0.1 && seconds <= 3600)) {
    throw new CliError(
      `${POLL_VARIABLE}=${JSON.stringify(text)}: use a number of seconds from 0.1 to 3600, such as 5 (how often --wait looks), or unset it.`,
      EXIT.usage,
    );
  }
  return seconds * 1000;
}
