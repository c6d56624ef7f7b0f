import { describe, expect, it } from 'vitest';
import type { ActionV1, AgentIdentity } from '../../core/action.js';
import type { Clock } from '../../core/clock.js';
import { compileLimits } from '../../core/limits/compile.js';
import type { LimitSpec } from '../../core/limits/types.js';
import type { CounterStore } from '../../ports/counter-store.js';
import { MemoryApprovalStore } from '../storage/memory/approval-store.js';
import { MemoryCounterStore } from '../storage/memory/counter-store.js';
import { KillSwitch } from './kill-switch.js';
import { LimitsEnricher } from './limits-enricher.js';

const T0 = Date.UTC(2026, 0, 1);
const now = T0;
const clock: Clock = { now: () => now, monotonicNs: () => 0n };
const bot: AgentIdentity = { id: 'pay-bot', roles: [], permissions: [], attributes: {} };
const transfer = (amount: number): ActionV1 => ({
  kind: 'tool_call',
  tool: 'payments.transfer',
  args: { amount },
});

const specs: LimitSpec[] = [
  {
    id: 'transfers-per-minute',
    target: { kinds: ['tool_call'], tools: ['payments.*'] },
    kind: 'token_bucket',
    capacity: 3,
    refill_per_second: 0.05,
  },
  {
    id: 'money-24h',
    target: { kinds: [], tools: ['payments.transfer'] },
    kind: 'rolling_sum',
    window_ms: 86_400_000,
    max: 1000,
    amount: 'action.args.amount',
  },
];

async function setup(counters: CounterStore = new MemoryCounterStore()) {
  const compiled = compileLimits(specs);
  if (!compiled.ok) throw new Error(compiled.error.join());
  const ks = await KillSwitch.open(new MemoryApprovalStore(), { all: false, agents: [], tools: [] }, T0);
  return { ks, enricher: new LimitsEnricher({ counters, killSwitch: ks, clock, limits: compiled.value }) };
}

describe('LimitsEnricher', () => {
  it('charges matching limits and reports usage facts for policy', async () => {
    const { enricher } = await setup();
    const e = await enricher.enrich(bot, transfer(400), undefined);
    expect(e.limited).toBeNull();
    expect(e.frozen).toBeNull();
    expect(e.posture).toBe('normal');
    expect(e.usage).toEqual({
      'transfers-per-minute': { used: 1, limit: 3, remaining: 2, reset_ms: 20_000 },
      'money-24h': { used: 400, limit: 1000, remaining: 600, reset_ms: expect.any(Number) },
    });
    const other = await enricher.enrich(bot, { kind: 'tool_call', tool: 'crm.get', args: {} }, undefined);
    expect(other.usage).toEqual({});
  });

  it('an exhausted limit gives a breach with retry time, and charges nothing', async () => {
    const { enricher } = await setup();
    await enricher.enrich(bot, transfer(700), undefined);
    const over = await enricher.enrich(bot, transfer(400), undefined);
    expect(over.limited).toEqual({
      limit_id: 'money-24h',
      reason: expect.stringContaining('budget money-24h exhausted'),
      retry_after_ms: expect.any(Number),
    });
    // The token bucket charge of the refused request was given back: 2 of 3 tokens remain.
    const next = await enricher.enrich(bot, transfer(300), undefined);
    expect(next.limited).toBeNull();
    expect(next.usage['transfers-per-minute']).toMatchObject({ used: 2, remaining: 1 });
  });

  it('settle gives the charges back when the decision is not an allow', async () => {
    const { enricher } = await setup();
    for (let i = 0; i < 5; i++) {
      const e = await enricher.enrich(bot, transfer(900), undefined);
      expect(e.limited).toBeNull();
      await enricher.settle(e, i % 2 === 0 ? 'deny' : 'escalate');
    }
    const allowed = await enricher.enrich(bot, transfer(900), undefined);
    await enricher.settle(allowed, 'allow');
    expect((await enricher.enrich(bot, transfer(900), undefined)).limited?.limit_id).toBe('money-24h');
  });

  it('fails closed when an expression or the store fails', async () => {
    const { enricher } = await setup();
    await expect(
      enricher.enrich(bot, { kind: 'tool_call', tool: 'payments.transfer', args: {} }, undefined),
    ).rejects.toMatchObject({ code: 'policy_eval_error' });
    const broken: CounterStore = {
      name: 'broken',
      tryConsume: () => Promise.reject(new Error('down')),
      refund: () => Promise.resolve(),
      ready: () => false,
      close: () => Promise.resolve(),
    };
    const b = await setup(broken);
    await expect(b.enricher.enrich(bot, transfer(1), undefined)).rejects.toMatchObject({
      code: 'rate_limit_store_unavailable',
    });
  });

  it('the kill switch freezes an agent, a tool glob or everything, on the next request', async () => {
    const { ks, enricher } = await setup();
    expect((await enricher.enrich(bot, transfer(1), undefined)).frozen).toBeNull();
    await ks.freeze({ type: 'tool', id: 'payments.*' }, 'incident 7', 'alice', T0);
    const frozen = await enricher.enrich(bot, transfer(1), undefined);
    expect(frozen.frozen).toBe('tool payments.transfer is frozen (kill switch, payments.*): incident 7');
    expect(frozen.usage).toEqual({});
    expect(
      (await enricher.enrich(bot, { kind: 'tool_call', tool: 'crm.get', args: {} }, undefined)).frozen,
    ).toBeNull();
    await ks.unfreeze({ type: 'tool', id: 'payments.*' });
    await ks.freeze({ type: 'agent', id: 'pay-bot' }, 'runaway', 'alice', T0);
    expect(
      (await enricher.enrich(bot, { kind: 'tool_call', tool: 'crm.get', args: {} }, undefined)).frozen,
    ).toMatch(/agent pay-bot is frozen/);
    await ks.freeze({ type: 'all' }, 'breach', 'alice', T0);
    expect((await enricher.enrich({ ...bot, id: 'x' }, transfer(1), undefined)).frozen).toMatch(
      /all agents are frozen/,
    );
    await ks.setPosture('lockdown');
    expect((await enricher.enrich(bot, transfer(1), undefined)).posture).toBe('lockdown');
  });
});

describe('KillSwitch', () => {
  it('persists its state and adds the config freezes on start', async () => {
    const store = new MemoryApprovalStore();
    const first = await KillSwitch.open(store, { all: false, agents: [], tools: [] }, T0);
    expect(await first.freeze({ type: 'agent', id: 'bad-bot' }, 'r', 'alice', T0)).toBe(true);
    expect(await first.freeze({ type: 'agent', id: 'bad-bot' }, 'again', 'bob', T0)).toBe(false);
    await first.setPosture('elevated');
    const second = await KillSwitch.open(store, { all: false, agents: ['cfg-bot'], tools: [] }, T0);
    expect(second.frozenReason('bad-bot', undefined)).toMatch(/bad-bot is frozen/);
    expect(second.frozenReason('cfg-bot', undefined)).toMatch(/frozen in configuration/);
    expect(second.posture).toBe('elevated');
    expect(await second.unfreeze({ type: 'all' })).toBe(false);
  });

  it('does not apply a change it cannot persist', async () => {
    const store = new MemoryApprovalStore();
    const ks = await KillSwitch.open(store, { all: false, agents: [], tools: [] }, T0);
    store.saveControlState = () => Promise.reject(new Error('disk full'));
    await expect(ks.setPosture('lockdown')).rejects.toThrow('disk full');
    expect(ks.posture).toBe('normal');
  });
});
