import { describe, expect, it } from 'vitest';
import { expectLinearTime } from './linear-time.js';

/** Work that visits every pair of positions: quadratic in n. */
function pairs(n: number): () => void {
  const xs = Float64Array.from({ length: n }, (_, i) => i % 7);
  return () => {
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += xs[i]! * xs[j]!;
    if (s < 0) throw new Error('unreachable');
  };
}

/** Work that visits each position a fixed number of times: linear in n. */
function sweep(n: number): () => void {
  const xs = Float64Array.from({ length: n }, (_, i) => i % 7);
  return () => {
    let s = 0;
    for (let k = 0; k < 50; k++) for (let i = 0; i < n; i++) s += xs[i]!;
    if (s < 0) throw new Error('unreachable');
  };
}

describe('expectLinearTime', () => {
  it('passes linear work', () => {
    expectLinearTime(sweep, 200_000);
  });

  it('fails quadratic work', () => {
    expect(() => expectLinearTime(pairs, 3_000)).toThrow(/time ratio, size n to 4n/);
  });
});
