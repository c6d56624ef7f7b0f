/** Rate limits and budgets: algorithms, spec validation and compilation (state via CounterStore). */
export * from './types.js';
export { validateLimitSpec, checkLimitSpec, LIMIT_SPEC_KEYS, type LimitSpecIssue } from './spec.js';
export {
  compileLimit,
  compileLimits,
  limitActivation,
  type CompiledLimit,
  type LimitCompileIssue,
} from './compile.js';
export { consumeCounter, refundCounter, counterIdleMs, type CounterData } from './counter.js';
export { takeTokens, returnTokens, type TokenBucketState } from './token-bucket.js';
export { addToWindow, removeFromWindow, type RollingState } from './rolling-window.js';
export { usageFact, usageFacts, breachOf } from './usage.js';
