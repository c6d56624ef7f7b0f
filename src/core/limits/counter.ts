/**
 * One entry point over both algorithms, for stores that keep state as plain data (the memory
 * store, and the contract reference). Stores with their own atomic engine (Redis, Lua) implement
 * the same arithmetic there.
 */
import { addToWindow, liveSlices, removeFromWindow, type RollingState } from './rolling-window.js';
import { bucketIdleMs, returnTokens, takeTokens, type TokenBucketState } from './token-bucket.js';
import type { CounterSpec, CounterState } from './types.js';

export type CounterData =
  { kind: 'token_bucket'; bucket: TokenBucketState } | { kind: 'rolling_sum'; window: RollingState };

export function consumeCounter(
  data: CounterData | null,
  cost: number,
  spec: CounterSpec,
  now: number,
): { data: CounterData; result: CounterState } {
  if (spec.kind === 'token_bucket') {
    const prev = data?.kind === 'token_bucket' ? data.bucket : null;
    const { state, result } = takeTokens(prev, cost, spec, now);
    return { data: { kind: 'token_bucket', bucket: state }, result };
  }
  const prev = data?.kind === 'rolling_sum' ? data.window : null;
  const { state, result } = addToWindow(prev, cost, spec, now);
  return { data: { kind: 'rolling_sum', window: state }, result };
}

export function refundCounter(
  data: CounterData | null,
  cost: number,
  spec: CounterSpec,
  at: number,
  now: number,
): CounterData {
  if (spec.kind === 'token_bucket') {
    return {
      kind: 'token_bucket',
      bucket: returnTokens(data?.kind === 'token_bucket' ? data.bucket : null, cost, spec, now),
    };
  }
  return {
    kind: 'rolling_sum',
    window: removeFromWindow(data?.kind === 'rolling_sum' ? data.window : null, cost, spec, at, now),
  };
}

/** Milliseconds after which the state may be forgotten (it equals a fresh counter); null: keep. */
export function counterIdleMs(data: CounterData, spec: CounterSpec, now: number): number | null {
  if (spec.kind === 'token_bucket')
    return data.kind === 'token_bucket' ? bucketIdleMs(data.bucket, spec, now) : 0;
  if (data.kind !== 'rolling_sum') return 0;
  const slices = liveSlices(data.window, spec, now);
  const newest = slices[slices.length - 1];
  return newest === undefined
    ? 0
    : Math.ceil((newest[0] + spec.buckets + 1) * (spec.window_ms / spec.buckets) - now);
}
