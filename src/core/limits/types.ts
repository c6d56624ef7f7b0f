/**
 * Rate limits and budgets (issue 6). Limits are declared in policy (`limits:` section, see
 * docs/approvals-and-limits.md), compiled once at load, and evaluated by the limits enricher
 * before policy; their state lives behind the CounterStore port.
 */

export interface LimitTarget {
  /** Action kinds, globs allowed (`mcp.*`). Empty means any kind. */
  kinds: string[];
  /** Tool names, globs allowed (`payments.*`). Empty means any tool. */
  tools: string[];
}

/** Token bucket: `capacity` tokens, refilled continuously at `refill_per_second`. */
export interface TokenBucketParams {
  kind: 'token_bucket';
  capacity: number;
  /** 0 makes a fixed quota that never refills. */
  refill_per_second: number;
}

/**
 * Rolling-window sum: the sum of `amount` over the last `window_ms` may not exceed `max`.
 * The window is kept in `buckets` slices and rounded in the strict direction: an amount stays
 * counted for up to one slice (window_ms / buckets) longer than the window.
 */
export interface RollingSumParams {
  kind: 'rolling_sum';
  window_ms: number;
  max: number;
  buckets: number;
}

/** The algorithm and its parameters: what a CounterStore needs to keep one counter. */
export type CounterSpec = TokenBucketParams | RollingSumParams;

interface LimitSpecBase {
  id: string;
  description?: string;
  target: LimitTarget;
  /** CEL over the policy input giving the counter key; default `agent.id`. */
  key?: string;
}

/** A limit as declared in policy. */
export type LimitSpec =
  | (LimitSpecBase & Omit<TokenBucketParams, 'kind'> & { kind: 'token_bucket' })
  | (LimitSpecBase &
      Omit<RollingSumParams, 'kind' | 'buckets'> & {
        kind: 'rolling_sum';
        /** CEL giving the amount this action adds (e.g. `action.args.amount`); default 1. */
        amount?: string;
        /** Slices of the window (default 60). */
        buckets?: number;
      });

/** What one counter reports after an attempt; `usage.<limit_id>` for policy. */
export interface CounterState {
  admitted: boolean;
  /** Consumed in the current window (rolling) or capacity minus tokens left (bucket). */
  used: number;
  limit: number;
  remaining: number;
  /** Milliseconds until the counter is back to empty (rolling) or full (bucket). */
  reset_ms: number;
  /** When not admitted: ms until this cost could be admitted; null when it never fits. */
  retry_after_ms: number | null;
}

/** Usage facts for policy: `usage.<limit_id>.used` etc. */
export interface UsageFact {
  used: number;
  limit: number;
  remaining: number;
  reset_ms: number;
}

/** An exhausted limit: the pipeline denies with code `rate_limited` and Retry-After. */
export interface LimitBreach {
  limit_id: string;
  reason: string;
  retry_after_ms: number | null;
}

export const DEFAULT_ROLLING_BUCKETS = 60;
export const DEFAULT_LIMIT_KEY = 'agent.id';
