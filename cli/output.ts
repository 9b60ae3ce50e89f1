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

  /** A machine-readable result (only with `--json`). */
  data(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
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
