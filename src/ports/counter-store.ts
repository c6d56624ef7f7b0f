import type { CounterSpec, CounterState } from '../core/limits/types.js';

/**
 * Counters for rate limits and budgets. `tryConsume` is atomic per key: under any concurrency
 * a counter admits exactly what its spec allows (N concurrent attempts on a capacity of C admit
 * min(N, C)). Each backend passes test/contract/counter-store.contract.ts.
 */
export interface CounterStore {
  readonly name: string;
  /** Adds `cost` if the limit allows it; reports the counter either way. */
  tryConsume(key: string, cost: number, spec: CounterSpec, now: number): Promise<CounterState>;
  /** Takes back `cost` consumed at `consumedAt` (the action was not carried out). */
  refund(key: string, cost: number, spec: CounterSpec, consumedAt: number, now: number): Promise<void>;
  /** false while the store cannot be reached (readiness). */
  ready(): boolean;
  close(): Promise<void>;
}
