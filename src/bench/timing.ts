/**
 * Runs `fn` (which processes `items` items) repeatedly for at least `minMs` and at least once, after
 * one untimed warm-up, and returns items per second.
 */
export async function rate(items: number, fn: () => unknown, minMs: number): Promise<number> {
  await fn();
  let reps = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    await fn();
    reps++;
    elapsed = performance.now() - t0;
  } while (elapsed < minMs);
  return (items * reps * 1000) / elapsed;
}

/** Human-readable rate: 1.23 M/s, 456 k/s. */
export function formatRate(r: number): string {
  if (r >= 1e9) return `${(r / 1e9).toFixed(2)} G/s`;
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)} M/s`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)} k/s`;
  return `${r.toFixed(0)} /s`;
}
