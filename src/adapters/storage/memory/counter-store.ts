import {
  consumeCounter,
  counterIdleMs,
  refundCounter,
  type CounterData,
} from '../../../core/limits/counter.js';
import type { CounterSpec, CounterState } from '../../../core/limits/types.js';
import type { CounterStore } from '../../../ports/counter-store.js';

interface Entry {
  data: CounterData;
  spec: CounterSpec;
  /** When the entry equals a fresh counter and may be dropped (null: keep). */
  idleAt: number | null;
}

/**
 * In-process counters (the default). Node runs one callback at a time and nothing here awaits
 * between reading and writing a counter, so every operation is atomic. Counters that have
 * returned to their fresh state are swept now and then, so memory follows the active keys.
 */
export class MemoryCounterStore implements CounterStore {
  readonly name = 'memory-counters';
  private readonly entries = new Map<string, Entry>();
  private ops = 0;

  constructor(private readonly sweepEvery = 4096) {}

  tryConsume(key: string, cost: number, spec: CounterSpec, now: number): Promise<CounterState> {
    const prev = this.entries.get(key);
    const { data, result } = consumeCounter(
      prev?.spec.kind === spec.kind ? prev.data : null,
      cost,
      spec,
      now,
    );
    this.put(key, data, spec, now);
    return Promise.resolve(result);
  }

  refund(key: string, cost: number, spec: CounterSpec, consumedAt: number, now: number): Promise<void> {
    const prev = this.entries.get(key);
    if (prev !== undefined && prev.spec.kind === spec.kind)
      this.put(key, refundCounter(prev.data, cost, spec, consumedAt, now), spec, now);
    return Promise.resolve();
  }

  ready(): boolean {
    return true;
  }

  close(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }

  /** Number of live counters (tests and status). */
  get size(): number {
    return this.entries.size;
  }

  private put(key: string, data: CounterData, spec: CounterSpec, now: number): void {
    const idle = counterIdleMs(data, spec, now);
    this.entries.set(key, { data, spec, idleAt: idle === null ? null : now + idle });
    if (++this.ops % this.sweepEvery === 0) this.sweep(now);
  }

  private sweep(now: number): void {
    for (const [key, e] of this.entries) if (e.idleAt !== null && e.idleAt <= now) this.entries.delete(key);
  }
}
