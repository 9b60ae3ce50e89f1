/*
 * Randomness a storm can repeat: the same seed draws the same latencies,
 * throttles and duplicates, so two runs differ only where the machine does.
 */

/** A uniform draw in [0, 1). */
export type Random = () => number;

/** mulberry32: small, fast and good enough to spread latencies and faults. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A range of milliseconds, [min, max]. */
export type MsRange = readonly [number, number];

/** A draw from `range`, uniformly. */
export function drawMs(random: Random, [min, max]: MsRange): number {
  return min + random() * (max - min);
}
