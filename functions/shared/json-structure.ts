/*
 * What JSON.parse does not say about a text it accepts: a key given twice in
 * one object (it silently keeps the last), and how deep values nest (the
 * parse copes, but anything that then walks the value recursively, such as
 * an error formatter, may overflow the stack). One iterative pass over the
 * text, after JSON.parse has accepted it, finds both.
 */

/** Why a parsed text is refused, in a sentence a user can act on. */
export type StructureProblem =
  | { readonly kind: "duplicate-key"; readonly key: string; readonly path: readonly string[] }
  | { readonly kind: "too-deep"; readonly maxDepth: number };

interface Frame {
  readonly kind: "object" | "array";
  readonly keys: Set<string>;
  /** The key of this value in its parent object, for saying where a repeat is. */
  readonly name: string | undefined;
  /** In an object: whether the next string is a key (rather than a value). */
  expectKey: boolean;
  lastKey: string | undefined;
}

/** The end of the JSON string starting at `start` (its closing quote's index). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const char = text.charAt(i);
    if (char === "\\") i += 2;
    else if (char === '"') return i;
    else i += 1;
  }
  return text.length;
}

/**
 * The first duplicate key, or nesting beyond `maxDepth` arrays and objects,
 * in a text JSON.parse has accepted; `undefined` when there is neither.
 * Keys are compared as JSON.parse reads them, so `"\u0041"` repeats `"A"`.
 *
 * @example
 * findStructureProblem('{"a": 1, "a": 2}', 32) // => { kind: "duplicate-key", key: "a", path: [] }
 */
export function findStructureProblem(text: string, maxDepth: number): StructureProblem | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charAt(i);
    const top = stack[stack.length - 1];
    if (char === '"') {
      const end = stringEnd(text, i);
      if (top?.kind === "object" && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) {
          const path = stack.map((f) => f.name).filter((n): n is string => n !== undefined);
          return { kind: "duplicate-key", key, path };
        }
        top.keys.add(key);
        top.lastKey = key;
        top.expectKey = false;
      }
      i = end;
    } else if (char === "{" || char === "[") {
      if (stack.length >= maxDepth) return { kind: "too-deep", maxDepth };
      const name = top?.kind === "object" ? top.lastKey : undefined;
      stack.push({
        kind: char === "{" ? "object" : "array",
        keys: new Set(),
        name,
        expectKey: char === "{",
        lastKey: undefined,
      });
    } else if (char === "}" || char === "]") {
      stack.pop();
    } else if (char === "," && top?.kind === "object") {
      top.expectKey = true;
    }
  }
  return undefined;
}
