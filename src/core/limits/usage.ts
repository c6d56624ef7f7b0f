import type { JsonObject } from '../json.js';
import type { CompiledLimit } from './compile.js';
import type { CounterState, LimitBreach, UsageFact } from './types.js';

/** `usage.<limit_id>` as policy sees it. */
export function usageFact(state: CounterState): UsageFact {
  return { used: state.used, limit: state.limit, remaining: state.remaining, reset_ms: state.reset_ms };
}

export function usageFacts(entries: ReadonlyArray<readonly [string, CounterState]>): JsonObject {
  const out: JsonObject = {};
  for (const [id, state] of entries) out[id] = { ...usageFact(state) };
  return out;
}

/** The deny reason for an exhausted limit; counter keys are not echoed (they may name people). */
export function breachOf(limit: CompiledLimit, state: CounterState, cost: number): LimitBreach {
  const what = limit.spec.kind === 'token_bucket' ? 'rate limit' : 'budget';
  const used = `${state.used} of ${state.limit} used, this action needs ${cost}`;
  const detail =
    cost > state.limit
      ? `this action (${cost}) exceeds the ${what} on its own (limit ${state.limit})`
      : state.retry_after_ms === null
        ? // A quota that never refills (token bucket with refill_per_second 0).
          `${used}; it does not refill`
        : `${used}; retry after ${Math.ceil(state.retry_after_ms / 1000)} s`;
  return {
    limit_id: limit.spec.id,
    reason: `${what} ${limit.spec.id} exhausted: ${detail}`,
    retry_after_ms: state.retry_after_ms,
  };
}
