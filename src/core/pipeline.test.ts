import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AgentIdentity, DecideRequestV1 } from './action.js';
import type { AuditEventV1 } from './audit/event.js';
import { fixedClock, type IdGen } from './clock.js';
import type { Effect } from './decision.js';
import { GatewayError } from './errors.js';
import { decisionId, runPipeline, type PipelineDeps } from './pipeline.js';
import type { CompiledPolicySet, PolicyEvaluation, PolicyInput } from './policy/types.js';
import type { AuditSink } from '../ports/audit-sink.js';
import type { GuardVerdict } from '../ports/guard.js';

const agent: AgentIdentity = { id: 'bot', roles: ['r'], permissions: ['p'], attributes: {} };
const request: DecideRequestV1 = {
  action: {
    kind: 'tool_call',
    tool: 'payments.transfer',
    args: { amount: 20000, iban: 'DE89370400440532013000' },
  },
  context: { purpose: 'vendor-payment' },
};

function evaluation(outcome: Effect, extra: Partial<PolicyEvaluation> = {}): PolicyEvaluation {
  return {
    outcome,
    code: 'rule_matched',
    matched: [{ policy_id: 'p', rule_id: `r-${outcome}`, effect: outcome, reason: `because ${outcome}` }],
    errors: [],
    obligations: { redact: [], approvals: [] },
    candidates: 1,
    ...extra,
  };
}

function policySet(evaluate: (input: PolicyInput) => PolicyEvaluation): CompiledPolicySet {
  return {
    version: 'sha256:test',
    policies: [],
    ruleCount: 1,
    rules: [],
    limits: [],
    evaluate,
    lint: () => [],
  };
}

class RecordingSink implements AuditSink {
  readonly name = 'recording';
  events: AuditEventV1[] = [];
  fail = false;
  append(event: AuditEventV1) {
    if (this.fail) return Promise.reject(new GatewayError('audit_store_unavailable', 'disk full'));
    this.events.push(event);
    return Promise.resolve({ index: this.events.length - 1, id: event.id });
  }
  ready() {
    return !this.fail;
  }
  close() {
    return Promise.resolve();
  }
}

function ids(): IdGen {
  let n = 1;
  return { nextSequence: () => n++, randomId: () => 'x' };
}

function deps(overrides: Partial<PipelineDeps> = {}): PipelineDeps & { audit: RecordingSink } {
  const passVerdict = (args: GuardVerdict['redactedArgs']): GuardVerdict => ({
    findings: {},
    coverage: [],
    blocked: false,
    blockReasons: [],
    failed: false,
    redactedArgs: args,
    auditArgs: args,
  });
  return {
    authenticator: {
      name: 'fake-auth',
      authenticate: (c) => Promise.resolve(c.type === 'api_key' && c.key === 'good' ? agent : null),
    },
    guard: { name: 'fake-guard', scanInput: (a) => Promise.resolve(passVerdict(a.args)) },
    enricher: {
      name: 'fake-enricher',
      enrich: () => Promise.resolve({ usage: {}, risk: {}, posture: 'normal', frozen: null }),
    },
    policies: { current: () => policySet(() => evaluation('allow')) },
    approvals: { name: 'fake-approvals', request: () => Promise.resolve({ id: 'apr_1', status: 'pending' }) },
    audit: new RecordingSink(),
    clock: fixedClock(Date.UTC(2026, 10, 21)),
    ids: ids(),
    instanceId: 'test-1',
    durability: 'durable',
    explainAlways: false,
    ...overrides,
  } as PipelineDeps & { audit: RecordingSink };
}

const good = { type: 'api_key', key: 'good' } as const;

describe('runPipeline', () => {
  it('allows what policy allows, records every step and one audit event', async () => {
    const d = deps();
    const { decision, auditIndex } = await runPipeline(d, { credential: good, request, adapter: 'sdk' });
    expect(decision.outcome).toBe('allow');
    expect(decision.code).toBe('rule_matched');
    expect(decision.reasons).toEqual(['because allow']);
    expect(decision.policy_version).toBe('sha256:test');
    expect(decision.steps.map((s) => [s.step, s.status])).toEqual([
      ['authenticate', 'ran'],
      ['guard_input', 'ran'],
      ['enrich_context', 'ran'],
      ['evaluate_policy', 'ran'],
      ['approval', 'skipped'],
      ['respond', 'ran'],
      ['audit', 'ran'],
    ]);
    expect(auditIndex).toBe(0);
    expect(d.audit.events).toHaveLength(1);
    expect(d.audit.events[0]!.decision_id).toBe(decision.id);
  });

  it('passes the documented input to policy', async () => {
    let seen: PolicyInput | undefined;
    const d = deps({ policies: { current: () => policySet((i) => ((seen = i), evaluation('allow'))) } });
    await runPipeline(d, {
      credential: good,
      request: { ...request, on_behalf_of: 'alice' },
      adapter: 'sdk',
    });
    expect(seen?.agent).toEqual({
      id: 'bot',
      roles: ['r'],
      permissions: ['p'],
      attributes: {},
      on_behalf_of: 'alice',
    });
    expect(seen?.action).toEqual({
      kind: 'tool_call',
      tool: 'payments.transfer',
      server: '',
      args: request.action.args,
      prompt: '',
    });
    expect(seen?.context).toEqual({ purpose: 'vendor-payment' });
    expect(seen?.now).toBe(Date.UTC(2026, 10, 21));
    expect(seen?.posture).toBe('normal');
  });

  it('denies and audits an unknown credential without running later steps', async () => {
    const d = deps();
    const { decision } = await runPipeline(d, {
      credential: { type: 'api_key', key: 'bad' },
      request,
      adapter: 'http',
    });
    expect(decision.outcome).toBe('deny');
    expect(decision.code).toBe('unauthenticated');
    expect(decision.agent_id).toBeNull();
    expect(decision.steps.map((s) => [s.step, s.status])).toEqual([
      ['authenticate', 'ran'],
      ['guard_input', 'skipped'],
      ['enrich_context', 'skipped'],
      ['evaluate_policy', 'skipped'],
      ['approval', 'skipped'],
      ['respond', 'ran'],
      ['audit', 'ran'],
    ]);
    expect(d.audit.events).toHaveLength(1);
  });

  it('denies when any step throws (fail closed)', async () => {
    for (const broken of [
      { guard: { name: 'g', scanInput: () => Promise.reject(new Error('scanner crashed')) } },
      { enricher: { name: 'e', enrich: () => Promise.reject(new Error('redis down')) } },
      { authenticator: { name: 'a', authenticate: () => Promise.reject(new Error('jwks down')) } },
      {
        policies: {
          current: () =>
            policySet(() => {
              throw new Error('engine bug');
            }),
        },
      },
    ] as Array<Partial<PipelineDeps>>) {
      const { decision } = await runPipeline(deps(broken), { credential: good, request, adapter: 'sdk' });
      expect(decision.outcome).toBe('deny');
      expect(decision.code).toBe('internal_error');
      expect(decision.steps.some((s) => s.status === 'failed')).toBe(true);
    }
  });

  it('denies with policy_not_loaded when no set is active', async () => {
    const { decision } = await runPipeline(deps({ policies: { current: () => null } }), {
      credential: good,
      request,
      adapter: 'sdk',
    });
    expect([decision.outcome, decision.code]).toEqual(['deny', 'policy_not_loaded']);
  });

  it('turns an allow into a deny when the ledger cannot write', async () => {
    const d = deps();
    d.audit.fail = true;
    const { decision } = await runPipeline(d, { credential: good, request, adapter: 'sdk' });
    expect([decision.outcome, decision.code]).toEqual(['deny', 'audit_store_unavailable']);
    expect(decision.steps.at(-1)).toMatchObject({ step: 'audit', status: 'failed' });
  });

  it('in async durability, denies while the ledger cannot write and allows once it can', async () => {
    const d = deps({ durability: 'async' });
    const healthy = await runPipeline(d, { credential: good, request, adapter: 'sdk' });
    expect(healthy.decision.outcome).toBe('allow');
    expect(healthy.auditIndex).toBeNull(); // answered before the append
    d.audit.fail = true;
    const broken = await runPipeline(d, { credential: good, request, adapter: 'sdk' });
    expect([broken.decision.outcome, broken.decision.code]).toEqual([
      'deny',
      'audit_store_unavailable',
    ]);
    d.audit.fail = false;
    const healed = await runPipeline(d, { credential: good, request, adapter: 'sdk' });
    expect(healed.decision.outcome).toBe('allow');
  });

  it('denies a guardrail block and a kill switch before policy', async () => {
    const blocked = deps({
      guard: {
        name: 'g',
        scanInput: (a) =>
          Promise.resolve({
            findings: {},
            coverage: [],
            blocked: true,
            blockReasons: ['secret in args'],
            failed: false,
            redactedArgs: a.args,
            auditArgs: a.args,
          }),
      },
    });
    const r1 = await runPipeline(blocked, { credential: good, request, adapter: 'sdk' });
    expect([r1.decision.outcome, r1.decision.code, r1.decision.reasons]).toEqual([
      'deny',
      'guardrail_blocked',
      ['secret in args'],
    ]);
    const frozen = deps({
      enricher: {
        name: 'e',
        enrich: () =>
          Promise.resolve({ usage: {}, risk: {}, posture: 'lockdown', frozen: 'agent bot is frozen' }),
      },
    });
    const r2 = await runPipeline(frozen, { credential: good, request, adapter: 'sdk' });
    expect([r2.decision.outcome, r2.decision.code]).toEqual(['deny', 'kill_switch']);
  });

  it('denies when a scanner failed, and keeps the coverage', async () => {
    const d = deps({
      guard: {
        name: 'g',
        scanInput: (a) =>
          Promise.resolve({
            findings: {},
            coverage: [{ scanner: 'pii', part: 'args.iban', status: 'failed', reason: 'budget' }],
            blocked: false,
            blockReasons: ['scanner pii failed'],
            failed: true,
            redactedArgs: a.args,
            auditArgs: a.args,
          }),
      },
    });
    const { decision } = await runPipeline(d, { credential: good, request, adapter: 'sdk' });
    expect([decision.outcome, decision.code]).toEqual(['deny', 'guardrail_failed']);
    expect(decision.coverage).toEqual([
      { scanner: 'pii', part: 'args.iban', status: 'failed', reason: 'budget' },
    ]);
  });

  it("writes the guard's ledger copy to the audit event, and executes the redacted copy", async () => {
    const d = deps({
      guard: {
        name: 'g',
        scanInput: (a) =>
          Promise.resolve({
            findings: { pii: [{ type: 'IBAN_CODE' }] },
            coverage: [],
            blocked: false,
            blockReasons: [],
            failed: false,
            redactedArgs: { ...a.args, iban: '<IBAN_1>' },
            auditArgs: { ...a.args, iban: '[IBAN_CODE]' },
          }),
      },
    });
    const r = await runPipeline(d, { credential: good, request, adapter: 'sdk' });
    expect(r.action.args.iban).toBe('<IBAN_1>');
    const stored = JSON.stringify(d.audit.events[0]);
    expect(stored).toContain('[IBAN_CODE]');
    expect(stored).not.toContain('DE89370400440532013000');
  });

  it('stores no arguments for an unauthenticated attempt', async () => {
    const d = deps();
    await runPipeline(d, { credential: { type: 'none' }, request, adapter: 'http' });
    expect(JSON.stringify(d.audit.events[0])).not.toContain('DE89370400440532013000');
  });

  it('opens an approval for an escalation and keeps it escalated while pending', async () => {
    const d = deps({
      policies: {
        current: () =>
          policySet(() =>
            evaluation('escalate', {
              obligations: { redact: [], approvals: [{ roles: ['treasury'], count: 2 }] },
            }),
          ),
      },
    });
    const { decision } = await runPipeline(d, { credential: good, request, adapter: 'sdk' });
    expect(decision.outcome).toBe('escalate');
    expect(decision.approval).toEqual({ id: 'apr_1', status: 'pending' });
    expect(decision.steps.find((s) => s.step === 'approval')?.status).toBe('ran');
  });

  it('applies redact obligations to the executable action and the audit event', async () => {
    const d = deps({
      policies: {
        current: () =>
          policySet(() =>
            evaluation('allow', { obligations: { redact: ['action.args.iban'], approvals: [] } }),
          ),
      },
    });
    const r = await runPipeline(d, { credential: good, request, adapter: 'sdk' });
    expect(r.action.args).toEqual({ amount: 20000, iban: '[REDACTED]' });
    expect(JSON.stringify(d.audit.events[0])).not.toContain('DE89370400440532013000');
  });

  it('gives deterministic ids: same request, policy, instance and sequence -> same id', async () => {
    const a = await runPipeline(deps(), { credential: good, request, adapter: 'sdk' });
    const b = await runPipeline(deps(), { credential: good, request, adapter: 'sdk' });
    expect(a.decision.id).toBe(b.decision.id);
    const d = deps();
    const first = await runPipeline(d, { credential: good, request, adapter: 'sdk' });
    const second = await runPipeline(d, { credential: good, request, adapter: 'sdk' });
    expect(first.decision.id).not.toBe(second.decision.id);
  });
});

describe('decisionId', () => {
  it('is the first 128 bits of SHA-256 over canonical request and agent, policy version, instance, sequence', () => {
    const req: DecideRequestV1 = { action: { kind: 'tool_call', tool: 'pay.send', args: { note: 'é😀', n: 2 } } };
    const text = '{"agent":"bot","request":{"action":{"args":{"n":2,"note":"é😀"},"kind":"tool_call","tool":"pay.send"}}}';
    const expected = createHash('sha256').update(`${text}\nsha256:v\ni-1\n42`, 'utf8').digest('hex').slice(0, 32);
    expect(decisionId(req, 'bot', 'sha256:v', 'i-1', 42)).toBe(`dec_${expected}`);
  });
});
