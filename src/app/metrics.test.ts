import { describe, expect, it } from 'vitest';
import type { DecisionV1 } from '../core/decision.js';
import { GatewayMetrics } from './metrics.js';

const decision = (outcome: string, code: string, rules: string[]): DecisionV1 =>
  ({
    outcome,
    code,
    matched: rules.map((r) => ({ policy_id: 'p', rule_id: r, effect: outcome })),
    timings: { total_us: 250 },
  }) as unknown as DecisionV1;

describe('GatewayMetrics', () => {
  it('counts decisions, rule matches and latency per label combination', async () => {
    const m = new GatewayMetrics();
    m.recordDecision(decision('allow', 'rule_matched', ['a']), 'http');
    m.recordDecision(decision('allow', 'rule_matched', ['a']), 'http');
    m.recordDecision(decision('allow', 'rule_matched', ['b']), 'mcp');
    m.recordDecision(decision('deny', 'no_rule_matched', []), 'http');
    const text = await m.registry.metrics();
    expect(text).toContain(
      'portcullis_decisions_total{outcome="allow",code="rule_matched",adapter="http"} 2',
    );
    expect(text).toContain('portcullis_decisions_total{outcome="allow",code="rule_matched",adapter="mcp"} 1');
    expect(text).toContain(
      'portcullis_decisions_total{outcome="deny",code="no_rule_matched",adapter="http"} 1',
    );
    expect(text).toContain('portcullis_rule_matches_total{policy="p",rule="a",effect="allow"} 2');
    expect(text).toContain('portcullis_rule_matches_total{policy="p",rule="b",effect="allow"} 1');
    expect(text).toContain('portcullis_decision_duration_seconds_count{outcome="allow"} 3');
    expect(text).toContain('portcullis_decision_duration_seconds_bucket{le="0.00025",outcome="allow"} 3');
  });
});
