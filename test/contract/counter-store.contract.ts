/**
 * The CounterStore contract: every backend (memory, Redis) runs these cases. The central one:
 * under concurrency a counter admits exactly what its limit allows, never one more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeCounter, type CounterData } from '../../src/core/limits/counter.js';
import type { CounterSpec, CounterState } from '../../src/core/limits/types.js';
import type { CounterStore } from '../../src/ports/counter-store.js';

const T0 = Date.UTC(2026, 0, 1);

export function counterStoreContract(name: string, open: () => Promise<CounterStore>): void {
  describe(`CounterStore contract: ${name}`, () => {
    let store: CounterStore;
    let n = 0;
    /** A fresh key per case, so cases never share state. */
    const key = (): string => `contract-${Date.now()}-${n++}`;

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('is ready', () => {
      expect(store.ready()).toBe(true);
    });

    const concurrent = async (spec: CounterSpec, attempts: number, cost: number): Promise<CounterState[]> => {
      const k = key();
      return Promise.all(Array.from({ length: attempts }, () => store.tryConsume(k, cost, spec, T0)));
    };

    it('200 concurrent attempts on a token bucket of 50 admit exactly 50', async () => {
      const results = await concurrent({ kind: 'token_bucket', capacity: 50, refill_per_second: 0 }, 200, 1);
      expect(results.filter((r) => r.admitted)).toHaveLength(50);
      expect(results.filter((r) => !r.admitted).every((r) => r.remaining === 0 && r.used === 50)).toBe(true);
    });

    it('200 concurrent attempts on a rolling sum of 50 admit exactly 50', async () => {
      const results = await concurrent(
        { kind: 'rolling_sum', window_ms: 60_000, max: 50, buckets: 60 },
        200,
        1,
      );
      expect(results.filter((r) => r.admitted)).toHaveLength(50);
    });

    it('concurrent amounts never exceed the budget (33 × 3 of 100)', async () => {
      const results = await concurrent(
        { kind: 'rolling_sum', window_ms: 86_400_000, max: 100, buckets: 60 },
        120,
        3,
      );
      expect(results.filter((r) => r.admitted)).toHaveLength(33);
      expect(Math.max(...results.map((r) => r.used))).toBe(99);
    });

    it('keeps keys apart', async () => {
      const spec: CounterSpec = { kind: 'token_bucket', capacity: 1, refill_per_second: 0 };
      const [a, b] = [key(), key()];
      expect((await store.tryConsume(a, 1, spec, T0)).admitted).toBe(true);
      expect((await store.tryConsume(b, 1, spec, T0)).admitted).toBe(true);
      expect((await store.tryConsume(a, 1, spec, T0)).admitted).toBe(false);
    });

    // The same sequence through the store and through the core reference gives the same reports.
    const sequences: Array<[string, CounterSpec, Array<[number, number]>]> = [
      [
        'token bucket with refill',
        { kind: 'token_bucket', capacity: 5, refill_per_second: 2 },
        [
          [0, 3],
          [0, 3],
          [400, 1],
          [1000, 3],
          [1100, 2.5],
          [5000, 5],
          [5000, 0.25],
        ],
      ],
      [
        'rolling sum with fractions',
        { kind: 'rolling_sum', window_ms: 10_000, max: 5000, buckets: 10 },
        [
          [0, 2500.5],
          [10, 2499.5],
          [20, 1],
          [3000, 0.5],
          [10_999, 1],
          [11_000, 2500],
          [12_500, 2000],
          [30_000, 5000],
        ],
      ],
    ];
    for (const [label, spec, steps] of sequences) {
      it(`matches the core arithmetic: ${label}`, async () => {
        const k = key();
        let ref: CounterData | null = null;
        for (const [dt, cost] of steps) {
          const expected: CounterState = (({ data, result }) => ((ref = data), result))(
            consumeCounter(ref, cost, spec, T0 + dt),
          );
          expect(await store.tryConsume(k, cost, spec, T0 + dt)).toEqual(expected);
        }
      });
    }

    it('refunds: a token bucket gets its tokens back (never above capacity)', async () => {
      const spec: CounterSpec = { kind: 'token_bucket', capacity: 2, refill_per_second: 0 };
      const k = key();
      await store.tryConsume(k, 2, spec, T0);
      await store.refund(k, 1, spec, T0, T0 + 1);
      await store.refund(k, 5, spec, T0, T0 + 1);
      expect(await store.tryConsume(k, 2, spec, T0 + 2)).toMatchObject({ admitted: true, remaining: 0 });
    });

    it('refunds: a rolling sum forgets the refunded amount', async () => {
      const spec: CounterSpec = { kind: 'rolling_sum', window_ms: 60_000, max: 10, buckets: 6 };
      const k = key();
      await store.tryConsume(k, 6, spec, T0);
      await store.tryConsume(k, 4, spec, T0 + 20_000);
      await store.refund(k, 6, spec, T0, T0 + 30_000);
      expect(await store.tryConsume(k, 6, spec, T0 + 30_000)).toMatchObject({ admitted: true, used: 10 });
    });

    it('a refund after concurrent charges leaves exactly the refunded room', async () => {
      const spec: CounterSpec = { kind: 'token_bucket', capacity: 20, refill_per_second: 0 };
      const k = key();
      await Promise.all(Array.from({ length: 20 }, () => store.tryConsume(k, 1, spec, T0)));
      await Promise.all(Array.from({ length: 5 }, () => store.refund(k, 1, spec, T0, T0)));
      const again = await Promise.all(Array.from({ length: 30 }, () => store.tryConsume(k, 1, spec, T0)));
      expect(again.filter((r) => r.admitted)).toHaveLength(5);
    });
  });
}
