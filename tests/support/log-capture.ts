/*
 * The handlers' JSON log lines, kept for a test to read instead of printed:
 * Powertools' Logger writes INFO to stdout, WARN and ERROR to stderr, one
 * JSON object a line with a `service` field. Other output passes on.
 */

/** A write's log lines, when every line in it is one of the handlers' (else `undefined`). */
function logLinesOf(text: string): Array<Record<string, unknown>> | undefined {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const parsed = lines.map((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return typeof value === "object" && value !== null && "service" in value
        ? (value as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  });
  return lines.length > 0 && parsed.every((entry) => entry !== undefined)
    ? (parsed as Array<Record<string, unknown>>)
    : undefined;
}

/** Diverts the handlers' log lines on stdout and stderr into `logs`; returns how to stop. */
export function captureLogs(logs: Array<Record<string, unknown>>): () => void {
  const restore = [process.stdout, process.stderr].map((stream) => {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      const lines = logLinesOf(text);
      if (lines === undefined) return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      logs.push(...lines);
      return true;
    }) as typeof stream.write;
    return () => {
      stream.write = write;
    };
  });
  return () => restore.forEach((undo) => undo());
}
