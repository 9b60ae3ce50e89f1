import { createInterface } from "node:readline/promises";

/**
 * Asks `question` on the terminal; true only when the answer is exactly
 * `expected` (leading and trailing spaces aside). No terminal, no answer: false.
 */
export async function confirmed(question: string, expected: string): Promise<boolean> {
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await terminal.question(question);
    return answer.trim() === expected;
  } catch {
    return false;
  } finally {
    terminal.close();
  }
}
