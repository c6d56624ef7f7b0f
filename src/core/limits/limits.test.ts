import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { compileLimit, compileLimits, limitActivation } from './compile.js';
import { consumeCounter, refundCounter, type CounterData } from './counter.js';
import { addToWindow, type RollingState } from './rolling-window.js';
import { checkLimitSpec, LIMIT_SPEC_KEYS, validateLimitSpec } from './spec.js';
import { takeTokens, type TokenBucketState } from './token-bucket.js';
import type { LimitSpec, RollingSumParams, TokenBucketParams } from './types.js';
import { breachOf, usageFacts } from './usage.js';

const T0 = Date.UTC(2026, 0, 1);

describe('token bucket', () => {
  const p: TokenBucketParams = { kind: 'token_bucket', capacity: 3, refill_per_second: 1 };

  it('admits the capacity, then refills with time', () => {
    let s: TokenBucketState | null = null;
    const admitted: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const r = takeTokens(s, 1, p, T0);
      s = r.state;
      admitted.push(r.result.admitted);
    }
    expect(admitted).toEqual([true, true, true, false]);
    const denied = takeTokens(s, 1, p, T0);
    expect(denied.result).toMatchObject({
      admitted: false,
      used: 3,
      limit: 3,
      remaining: 0,
      retry_after_ms: 1000,
      reset_ms: 3000,
    });
    expect(takeTokens(s, 1, p, T0 + 999).result.admitted).toBe(false);
    expect(takeTokens(s, 1, p, T0 + 1000).result).toMatchObject({ admitted: true, remaining: 0 });
    expect(takeTokens(s, 1, p, T0 + 10_000).result).toMatchObject({ admitted: true, remaining: 2 });
  });

  it('a bucket that never refills is a fixed quota; a cost above capacity never fits', () => {
    const quota: TokenBucketParams = { kind: 'token_bucket', capacity: 2, refill_per_second: 0 };
    let s = takeTokens(null, 2, quota, T0).state;
    const r = takeTokens(s, 1, quota, T0 + 86_400_000);
    expect(r.result).toMatchObject({ admitted: false, retry_after_ms: null, reset_ms: -1 });
    s = takeTokens(null, 0, p, T0).state;
    expect(takeTokens(s, 4, p, T0).result).toMatchObject({ admitted: false, retry_after_ms: null });
  });

  it('does not run backwards when a replica clock is behind', () => {
    const s = takeTokens(null, 3, p, T0 + 5000).state;
    expect(takeTokens(s, 1, p, T0).result.admitted).toBe(false);
  });
});

describe('rolling window', () => {
  const p: RollingSumParams = { kind: 'rolling_sum', window_ms: 60_000, max: 100, buckets: 60 };

  it('sums amounts in the window and frees them once they leave it', () => {
    let s: RollingState | null = null;
    s = addToWindow(s, 60, p, T0).state;
    const second = addToWindow(s, 50, p, T0 + 10_000);
    expect(second.result).toMatchObject({ admitted: false, used: 60, remaining: 40 });
    // The 60 was added in slice T0; it leaves the window 61 slices later.
    expect(second.result.retry_after_ms).toBe(61_000 - 10_000);
    s = addToWindow(s, 40, p, T0 + 10_000).state;
    expect(addToWindow(s, 1, p, T0 + 60_999).result.admitted).toBe(false);
    const later = addToWindow(s, 50, p, T0 + 61_000);
    expect(later.result).toMatchObject({ admitted: true, used: 90, remaining: 10 });
  });

  it('never admits more than max in any window of window_ms (property)', () => {
    const q: RollingSumParams = { kind: 'rolling_sum', window_ms: 1000, max: 10, buckets: 10 };
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 300 }), cost: fc.integer({ min: 0, max: 6 }) }), {
          maxLength: 60,
        }),
        (steps) => {
          let s: RollingState | null = null;
          let t = T0;
          const admitted: Array<[number, number]> = [];
          for (const { dt, cost } of steps) {
            t += dt;
            const r = addToWindow(s, cost, q, t);
            s = r.state;
            if (r.result.admitted) admitted.push([t, cost]);
          }
          for (const [start] of admitted) {
            const sum = admitted
              .filter(([at]) => at >= start && at < start + q.window_ms)
              .reduce((n, [, c]) => n + c, 0);
            expect(sum).toBeLessThanOrEqual(q.max);
          }
        },
      ),
    );
  });

  it('a refund takes the amount back out of the slice it went into', () => {
    let d: CounterData | null = null;
    d = consumeCounter(d, 80, p, T0).data;
    d = refundCounter(d, 80, p, T0, T0 + 5000);
    expect(consumeCounter(d, 100, p, T0 + 5000).result.admitted).toBe(true);
  });
});

describe('limit specs', () => {
  it('validates the policy shape and converts windows', () => {
    const r = validateLimitSpec({
      id: 'money-24h',
      target: { tools: ['payments.*'] },
      kind: 'rolling_sum',
      window: '24h',
      max: 100000,
      amount: 'action.args.amount',
    });
    expect(r).toEqual({
      ok: true,
      value: {
        id: 'money-24h',
        target: { kinds: [], tools: ['payments.*'] },
        kind: 'rolling_sum',
        window_ms: 86_400_000,
        max: 100000,
        buckets: 60,
        amount: 'action.args.amount',
      },
    });
    const bad = validateLimitSpec({
      id: 'x',
      kind: 'token_bucket',
      capacity: -1,
      refill_per_second: 1,
      extra: true,
    });
    expect(bad.ok).toBe(false);
    expect(bad.ok ? [] : bad.error.join('\n')).toMatch(/capacity[\s\S]*extra|extra[\s\S]*capacity/);
    expect(validateLimitSpec({ id: 'x', kind: 'rolling_sum', max: 1 }).ok).toBe(false);
    expect(validateLimitSpec({ id: 'x', kind: 'leaky', capacity: 1 }).ok).toBe(false);
  });

  it('gives structured issues (path, kind) for the policy parser to place', () => {
    const r = checkLimitSpec({
      id: 'x',
      kind: 'token_bucket',
      capacity: '3',
      refill_per_second: 1,
      target: { tools: ['a b'], tool: [] },
      extra: 1,
    });
    expect(r.ok ? [] : r.error).toEqual([
      { path: ['target', 'tools', 0], kind: 'format', message: expect.any(String) },
      { path: ['target'], kind: 'unknown_keys', keys: ['tool'], message: expect.any(String) },
      { path: ['capacity'], kind: 'type', expected: 'number', message: expect.any(String) },
      { path: [], kind: 'unknown_keys', keys: ['extra'], message: expect.any(String) },
    ]);
    const kind = checkLimitSpec({ id: 'x', kind: 'leaky' });
    expect(kind.ok ? [] : kind.error).toEqual([
      {
        path: ['kind'],
        kind: 'one_of',
        options: ['token_bucket', 'rolling_sum'],
        message: expect.any(String),
      },
    ]);
    expect(LIMIT_SPEC_KEYS.rolling_sum).toEqual([
      'id',
      'description',
      'target',
      'key',
      'kind',
      'window',
      'window_ms',
      'max',
      'amount',
      'buckets',
    ]);
  });

  it('compileLimit reports the field and the offset of a CEL problem', () => {
    const r = compileLimit({
      id: 'a',
      target: { kinds: [], tools: [] },
      key: 'agent.id',
      kind: 'rolling_sum',
      window_ms: 1000,
      max: 1,
      amount: 'action.args.n + nope',
    });
    expect(r.ok ? [] : r.error).toEqual([
      { field: 'amount', message: 'does not compile: Unknown variable: nope', offset: 16 },
    ]);
  });

  it('compiles key and amount expressions once and evaluates them per action', () => {
    const specs: LimitSpec[] = [
      {
        id: 'per-user',
        target: { kinds: ['tool_call'], tools: ['payments.*'] },
        key: 'agent.on_behalf_of',
        kind: 'rolling_sum',
        window_ms: 86_400_000,
        max: 1000,
        amount: 'action.args.amount',
      },
      {
        id: 'calls',
        target: { kinds: [], tools: [] },
        kind: 'token_bucket',
        capacity: 10,
        refill_per_second: 1,
      },
    ];
    const compiled = compileLimits(specs);
    if (!compiled.ok) throw new Error(compiled.error.join());
    const [perUser, calls] = compiled.value;
    const act = limitActivation({
      agent: { id: 'pay-bot', roles: [], permissions: [], attributes: {} },
      onBehalfOf: 'carol',
      action: { kind: 'tool_call', tool: 'payments.transfer', args: { amount: 250.5 } },
      context: undefined,
      impact: undefined,
      posture: 'normal',
      now: T0,
    });
    expect(perUser!.matches('tool_call', 'payments.transfer')).toBe(true);
    expect(perUser!.matches('tool_call', 'crm.get')).toBe(false);
    expect(perUser!.key(act)).toBe('carol');
    expect(perUser!.cost(act)).toBe(250.5);
    expect(calls!.key(act)).toBe('pay-bot');
    expect(calls!.cost(act)).toBe(1);
  });

  it('reports compile errors and fails closed when an expression fails at run time', () => {
    const broken = compileLimits([
      {
        id: 'a',
        target: { kinds: [], tools: [] },
        key: 'agent.id +',
        kind: 'token_bucket',
        capacity: 1,
        refill_per_second: 1,
      },
      {
        id: 'b',
        target: { kinds: [], tools: [] },
        key: 'agent.id == "x"',
        kind: 'token_bucket',
        capacity: 1,
        refill_per_second: 1,
      },
      { id: 'b', target: { kinds: [], tools: [] }, kind: 'token_bucket', capacity: 1, refill_per_second: 1 },
    ]);
    expect(broken.ok ? [] : broken.error).toEqual([
      expect.stringMatching(/^limit a: key does not compile/),
      expect.stringMatching(/^limit b: key must be of type string or int or double, not bool/),
      'limit b: duplicate limit id',
    ]);
    const ok = compileLimits([
      {
        id: 'm',
        target: { kinds: [], tools: [] },
        kind: 'rolling_sum',
        window_ms: 1000,
        max: 10,
        amount: 'action.args.amount',
      },
    ]);
    if (!ok.ok) throw new Error('should compile');
    const act = limitActivation({
      agent: { id: 'a', roles: [], permissions: [], attributes: {} },
      onBehalfOf: null,
      action: { kind: 'tool_call', args: { amount: -5 } },
      context: undefined,
      impact: undefined,
      posture: 'normal',
      now: T0,
    });
    expect(() => ok.value[0]!.cost(act)).toThrow(GatewayError);
    const missing = { ...act, action: { kind: 'tool_call', tool: '', server: '', args: {}, prompt: '' } };
    expect(() => ok.value[0]!.cost(missing)).toThrow(/limit m: amount failed/);
  });

  it('turns counter states into usage facts and breaches', () => {
    const compiled = compileLimits([
      {
        id: 'calls',
        target: { kinds: [], tools: [] },
        kind: 'token_bucket',
        capacity: 2,
        refill_per_second: 0.5,
      },
    ]);
    if (!compiled.ok) throw new Error('should compile');
    const state = { admitted: false, used: 2, limit: 2, remaining: 0, reset_ms: 4000, retry_after_ms: 2000 };
    expect(usageFacts([['calls', state]])).toEqual({
      calls: { used: 2, limit: 2, remaining: 0, reset_ms: 4000 },
    });
    expect(breachOf(compiled.value[0]!, state, 1)).toEqual({
      limit_id: 'calls',
      reason: expect.stringContaining('rate limit calls exhausted'),
      retry_after_ms: 2000,
    });
  });

  it('the breach reason tells a spent quota that never refills from an action too large to ever fit', () => {
    const compiled = compileLimits([
      {
        id: 'quota',
        target: { kinds: [], tools: [] },
        kind: 'token_bucket',
        capacity: 2,
        refill_per_second: 0,
      },
    ]);
    if (!compiled.ok) throw new Error('should compile');
    const spent = { admitted: false, used: 2, limit: 2, remaining: 0, reset_ms: -1, retry_after_ms: null };
    expect(breachOf(compiled.value[0]!, spent, 1)).toEqual({
      limit_id: 'quota',
      reason: 'rate limit quota exhausted: 2 of 2 used, this action needs 1; it does not refill',
      retry_after_ms: null,
    });
    const fresh = { admitted: false, used: 0, limit: 2, remaining: 2, reset_ms: 0, retry_after_ms: null };
    expect(breachOf(compiled.value[0]!, fresh, 3).reason).toBe(
      'rate limit quota exhausted: this action (3) exceeds the rate limit on its own (limit 2)',
    );
  });
});
