import yoctoSpinner from "yocto-spinner";
import { ageOf, clusterStates, type ClusterState, type StateName } from "./cluster-state.js";
import type { Output } from "./output.js";
import type { UserBucket } from "./user-bucket.js";

export type WaitResult =
  | { readonly kind: "done"; readonly state: ClusterState }
  | { readonly kind: "timeout" }
  | { readonly kind: "interrupted" };

export interface WaitOptions {
  readonly cluster: string;
  /** The states that end the wait. */
  readonly until: readonly StateName[];
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly signal?: AbortSignal | undefined;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Polls the user's home until the cluster reaches one of `until`, showing
 * the current state and elapsed time: a spinner on a terminal, one line per
 * change otherwise. Ctrl-C only stops the waiting; nothing is deleted.
 */
export async function waitForCluster(
  bucket: UserBucket,
  out: Output,
  options: WaitOptions,
): Promise<WaitResult> {
  const started = Date.now();
  const spinner =
    out.io.stderr.isTTY === true && !out.json
      ? yoctoSpinner({ stream: out.io.stderr as NodeJS.WriteStream })
      : undefined;
  spinner?.start();
  let last: StateName | "unknown" | undefined;
  try {
    while (!(options.signal?.aborted ?? false)) {
      const state = clusterStates(bucket.user, await bucket.list()).find(
        (s) => s.cluster === options.cluster,
      );
      if (state !== undefined && options.until.includes(state.state))
        return { kind: "done", state };
      const elapsed = ageOf(new Date(started), new Date());
      const now = state?.state ?? "unknown";
      const text = `${options.cluster}: ${now} (${elapsed} elapsed)`;
      if (spinner !== undefined) spinner.text = text;
      else if (now !== last) out.note(text);
      last = now;
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

/** Parses a duration such as `90s`, `45m` or `2h` (a bare number is minutes). */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (match === null) return undefined;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000 }[(match[2] ?? "m") as "s" | "m" | "h"];
  return Number(match[1]) * unit;
}
