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
   * itself; every other character {@link printable} escapes is escaped too,
   * so piping the output to a terminal is as safe as printing text.
   */
  data(value: unknown): void {
    // JSON.stringify has already escaped C0 inside strings; what C0 is left is its own layout.
    const json = JSON.stringify(value, null, 2).replace(UNPRINTABLE, (char) =>
      char < " " ? char : escapeChar(char),
    );
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
 * What a terminal does not show as itself: C0 and C1 controls and DEL (Cc);
 * format characters (Cf: bidi overrides and isolates, zero-width spaces and
 * joiners, the soft hyphen, invisible tag characters); line and paragraph
 * separators (Zl, Zp); every other default-ignorable code point (Hangul
 * fillers, variation selectors); and lone surrogates (Cs). Any of them in a
 * name makes two different names look the same, or reorders what follows.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}]/gu;

/** `\uXXXX` for each UTF-16 unit, so a character beyond U+FFFF escapes as its surrogate pair, as in JSON. */
const escapeChar = (char: string) =>
  Array.from(
    { length: char.length },
    (_, i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`,
  ).join("");

/**
 * Text from outside the CLI, safe to print on a terminal: unprintable
 * characters become visible `\uXXXX` escapes. A `.cf-failed` can quote what a
 * user wrote (a name, a parameter value), and a key or a file name can hold
 * anything, so such text must never be able to move the cursor, retitle the
 * window, or hide or reorder what follows. Escaping twice changes nothing.
 *
 * @example
 * printable("bad\u001b[2J") // => "bad\\u001b[2J"
 * printable("c\u200b1")      // => "c\\u200b1"
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapeChar);
}

/** {@link printable}, line by line: a message's own line breaks stay line breaks. */
export function printableLines(text: string): string {
  return text.split("\n").map(printable).join("\n");
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
