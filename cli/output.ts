import colors from "yoctocolors";

/** The streams and environment the CLI runs with; tests pass their own. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Where the CLI says things. Results go to stdout, as JSON with `--json`;
 * progress and errors go to stderr. Colour only on a terminal, and never
 * with `--no-color` or `NO_COLOR`.
 */
export class Output {
  readonly color: boolean;
  constructor(
    readonly io: CliIo,
    readonly json: boolean,
    colorWanted: boolean,
  ) {
    this.color = colorWanted && io.stdout.isTTY === true && io.env["NO_COLOR"] === undefined;
  }

  line(text = ""): void {
    this.io.stdout.write(`${text}\n`);
  }

  /**
   * A machine-readable result (only with `--json`). JSON escapes C0 controls
   * itself; C1 and the bidi controls are escaped too, so piping the output
   * to a terminal is as safe as printing text.
   */
  data(value: unknown): void {
    const json = JSON.stringify(value, null, 2).replace(UNPRINTABLE_IN_JSON, escapeChar);
    this.io.stdout.write(`${json}\n`);
  }

  /** Progress and notes for a person, kept off stdout so pipes stay clean. */
  note(text: string): void {
    if (!this.json) this.io.stderr.write(`${text}\n`);
  }

  error(text: string): void {
    this.io.stderr.write(`${this.bad("error:")} ${text}\n`);
  }

  good = (text: string) => (this.color ? colors.green(text) : text);
  bad = (text: string) => (this.color ? colors.red(text) : text);
  dim = (text: string) => (this.color ? colors.dim(text) : text);
  bold = (text: string) => (this.color ? colors.bold(text) : text);
}

/**
 * C0 and C1 control characters, DEL, and the Unicode controls that reorder
 * or hide text (bidi overrides, zero-width joiners).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
/** What JSON.stringify leaves raw of those: it escapes C0 itself, and its newlines are layout. */
const UNPRINTABLE_IN_JSON = /[\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

const escapeChar = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * Text from a result file, safe to print on a terminal: control characters
 * become visible `\uXXXX` escapes. A `.cf-failed` can quote what a user
 * wrote (a name, a parameter value), so its text must never be able to move
 * the cursor, retitle the window or hide what follows.
 *
 * @example
 * printable("bad\u001b[2J") // => "bad\\u001b[2J"
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapeChar);
}

/** Exit codes, documented in `flightdeck --help`. */
export const EXIT = { ok: 0, failed: 1, usage: 2, timeout: 124, interrupted: 130 } as const;

/** Pads columns for a plain-text table; `paint` may colour a padded cell without upsetting the widths. */
export function table(
  rows: readonly (readonly string[])[],
  paint: (row: number, column: number, padded: string) => string = (_r, _c, padded) => padded,
): string[] {
  const widths = rows.reduce<number[]>(
    (w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
    [],
  );
  return rows.map((row, r) =>
    row
      .map((cell, c) => paint(r, c, c === row.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
      .join("  "),
  );
}
