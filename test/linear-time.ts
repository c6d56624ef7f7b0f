/**
 * Checks that work grows linearly with input size, without asserting wall-clock speed (shared CI
 * machines vary). The time for size n is compared with the time for 4n: linear work gives ~4x, a
 * quadratic blow-up ~16x or far more, so the bound is 10x. Each size is timed three times and the
 * fastest run counts, because noise only ever adds time. A busy test run (other files in parallel,
 * GC) has still measured a linear case at 12x once, so a ratio over the bound is measured again, up
 * to three times: noise passes on a retry, a real blow-up never does.
 */
import { expect } from 'vitest';

export interface LinearTimeOptions {
  /** Times below this many milliseconds count as this much: timer and GC noise dominate there. */
  floorMs?: number;
}

function fastestMs(run: () => void, floorMs: number): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    run();
    best = Math.min(best, performance.now() - t0);
  }
  return Math.max(best, floorMs);
}

/** `prepare(n)` builds the input of size n and returns the work to time on it. */
export function expectLinearTime(prepare: (n: number) => () => void, n: number, options: LinearTimeOptions = {}): void {
  const floorMs = options.floorMs ?? 3;
  fastestMs(prepare(n / 4), floorMs); // warm-up
  const small = prepare(n);
  const large = prepare(4 * n);
  const ratios: number[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const ratio = fastestMs(large, floorMs) / fastestMs(small, floorMs);
    ratios.push(ratio);
    if (ratio < 10) break;
  }
  expect(Math.min(...ratios), `time ratio, size n to 4n: ${ratios.map((r) => r.toFixed(1)).join(', ')}`).toBeLessThan(10);
}
