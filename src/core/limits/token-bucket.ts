import type { CounterState, TokenBucketParams } from './types.js';

/** A bucket's persisted state: tokens left at `updated_ms`. */
export interface TokenBucketState {
  tokens: number;
  updated_ms: number;
}

/** Reported numbers are rounded to 6 decimals so that refill arithmetic shows no float noise. */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Tokens in the bucket at `now` (a missing state is a full bucket; time never runs backwards). */
export function refill(state: TokenBucketState | null, p: TokenBucketParams, now: number): number {
  if (state === null) return p.capacity;
  const elapsed = Math.max(0, now - state.updated_ms);
  return Math.min(p.capacity, state.tokens + (elapsed * p.refill_per_second) / 1000);
}

/** Takes `cost` tokens if the bucket holds them; reports the bucket either way. */
export function takeTokens(
  state: TokenBucketState | null,
  cost: number,
  p: TokenBucketParams,
  now: number,
): { state: TokenBucketState; result: CounterState } {
  const before = refill(state, p, now);
  const admitted = cost <= before;
  const tokens = admitted ? before - cost : before;
  const updated_ms = Math.max(now, state?.updated_ms ?? now);
  return { state: { tokens, updated_ms }, result: bucketReport(tokens, cost, admitted, p) };
}

/** Gives back `cost` tokens taken earlier (the action was not carried out). */
export function returnTokens(
  state: TokenBucketState | null,
  cost: number,
  p: TokenBucketParams,
  now: number,
): TokenBucketState {
  const tokens = Math.min(p.capacity, refill(state, p, now) + cost);
  return { tokens, updated_ms: Math.max(now, state?.updated_ms ?? now) };
}

export function bucketReport(
  tokens: number,
  cost: number,
  admitted: boolean,
  p: TokenBucketParams,
): CounterState {
  const perMs = p.refill_per_second / 1000;
  const missing = p.capacity - tokens;
  let retry: number | null = null;
  if (!admitted && cost <= p.capacity && perMs > 0) retry = Math.max(1, Math.ceil((cost - tokens) / perMs));
  return {
    admitted,
    used: round6(missing),
    limit: p.capacity,
    remaining: round6(tokens),
    // A bucket that never refills never resets: -1.
    reset_ms: missing <= 0 ? 0 : perMs > 0 ? Math.ceil(missing / perMs) : -1,
    retry_after_ms: admitted ? 0 : retry,
  };
}

/** Milliseconds until the state is indistinguishable from a fresh bucket (null: never). */
export function bucketIdleMs(state: TokenBucketState, p: TokenBucketParams, now: number): number | null {
  const missing = p.capacity - refill(state, p, now);
  if (missing <= 0) return 0;
  return p.refill_per_second > 0 ? Math.ceil((missing * 1000) / p.refill_per_second) : null;
}
