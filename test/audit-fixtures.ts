/** Shared fixtures for the audit ledger tests: a fixed signing key and deterministic events. */
import {
  buildDecisionEvent,
  buildOutcomeEvent,
  buildSystemEvent,
  type AuditEventV1,
} from '../src/core/audit/event.js';
import { createNoteSigner, privateKeyFromSeed, type NoteSigner } from '../src/core/audit/note.js';
import type { DecisionV1 } from '../src/core/decision.js';
import type { CheckpointWitness } from '../src/ports/audit-store.js';

export const ORIGIN = 'ledger.example/test';

/** A fixed Ed25519 key (seed 0x01 * 32) so signatures are reproducible. */
export function testSigner(seedByte = 1, name = ORIGIN): NoteSigner {
  return createNoteSigner(name, privateKeyFromSeed(new Uint8Array(32).fill(seedByte)));
}

export function sampleDecision(i: number, outcome: DecisionV1['outcome'] = 'allow'): DecisionV1 {
  return {
    version: 1,
    id: `dec_${String(i).padStart(6, '0')}`,
    outcome,
    code: 'rule_matched',
    reasons: [`rule ${i % 3} matched`],
    agent_id: `agent-${i % 3}`,
    matched: [
      { policy_id: 'payments', rule_id: `r${i % 3}`, effect: outcome, reason: `rule ${i % 3} matched` },
    ],
    obligations: { redact: [], approvals: [] },
    policy_version: 'sha256:0123abcd',
    sequence: i,
    steps: [{ step: 'evaluate_policy', port: 'policy', status: 'ran', duration_us: 12 }],
    timings: { total_us: 40, policy_us: 12 },
  };
}

/** Decision event number i: distinct content, agent-(i%3), outcome cycling allow/deny/escalate. */
export function sampleEvent(i: number, time = 1_767_225_600_000 + i * 1000): AuditEventV1 {
  const outcome = (['allow', 'deny', 'escalate'] as const)[i % 3]!;
  const decision = sampleDecision(i, outcome);
  return buildDecisionEvent(
    {
      time,
      instance: 'gw-test',
      decision,
      action: {
        kind: 'tool_call',
        tool: 'payments.transfer',
        args: { amount: 100 + i, to: '[REDACTED:iban]' },
      },
      context: { environment: 'test', lineage: ['crm'] },
      findings: { pii: [{ type: 'iban', path: 'action.args.to', start: 0, end: 22 }] },
      adapter: 'http',
      agent: { id: decision.agent_id, version: '1.0.0' },
      impact: { amount: 100 + i, currency: 'EUR' },
      explanation: undefined,
      matched: decision.matched,
      steps: decision.steps,
      outcome,
    },
    i,
  );
}

export function sampleSystemEvent(i: number): AuditEventV1 {
  return buildSystemEvent(
    'policy_reload',
    { time: 1_767_225_600_000 + i, instance: 'gw-test', actor: 'sighup', details: { version: `v${i}` } },
    i,
  );
}

/** The three events of the worked example in docs/audit.md (fixed forever: the doc test pins them). */
export function exampleEvents(): AuditEventV1[] {
  const decision: DecisionV1 = {
    version: 1,
    id: 'dec_7f3c1a9e0b2d4c6f8a1e3b5d7f9c2e4a',
    outcome: 'allow',
    code: 'rule_matched',
    reasons: ['small refunds are allowed'],
    agent_id: 'support-bot',
    matched: [
      { policy_id: 'refunds', rule_id: 'small-refund', effect: 'allow', reason: 'small refunds are allowed' },
    ],
    obligations: { redact: [], approvals: [] },
    policy_version: 'sha256:5d41402abc4b2a76',
    sequence: 1,
    steps: [{ step: 'evaluate_policy', port: 'policy', status: 'ran', duration_us: 21 }],
    timings: { total_us: 90, policy_us: 21 },
  };
  return [
    buildSystemEvent(
      'policy_reload',
      {
        time: 1_767_268_800_000,
        instance: 'gw-1',
        actor: 'startup',
        details: { version: 'sha256:5d41402abc4b2a76', rules: 12 },
      },
      0,
    ),
    buildDecisionEvent(
      {
        time: 1_767_268_801_250,
        instance: 'gw-1',
        decision,
        action: {
          kind: 'tool_call',
          tool: 'refund',
          args: { order: 'A-1001', amount: 25, card: '[REDACTED:card]' },
        },
        context: { environment: 'prod', lineage: ['orders'] },
        findings: { pii: [{ type: 'credit_card', path: 'action.args.card', start: 0, end: 19 }] },
        adapter: 'http',
        agent: { id: 'support-bot', version: '1.4.0' },
        impact: { amount: 25, currency: 'EUR' },
        explanation: undefined,
        matched: decision.matched,
        steps: decision.steps,
        outcome: 'allow',
        latency_us: 90,
      },
      1,
    ),
    buildOutcomeEvent(
      {
        time: 1_767_268_801_900,
        instance: 'gw-1',
        decision_id: decision.id,
        status: 'success',
        latency_ms: 640,
        adapter: 'http',
        agent: { id: 'support-bot' },
        impact: { amount: 25, currency: 'EUR' },
      },
      2,
    ),
  ];
}

/** A witness that keeps the notes it is sent, in order. */
export function memoryWitness(): CheckpointWitness & { notes: string[] } {
  const notes: string[] = [];
  return {
    name: 'test',
    notes,
    submit: (n) => (notes.push(n), Promise.resolve()),
    list: () => Promise.resolve([...notes]),
  };
}
