import { describe, expect, it } from 'vitest';
import { loadPolicySet } from './load.js';
import { DEFAULT_TEST_NOW, parsePolicyTests } from './tests-parse.js';
import { formatPolicyTestReport, runPolicyTests } from './tests-runner.js';
import type { CompiledPolicySet, PolicyTestCase } from './types.js';

const POLICY = `apiVersion: portcullis.dev/v1
kind: Policy
metadata: { id: pay, version: "1" }
rules:
  - id: big
    target: { kinds: [tool_call], tools: ["payments.*"] }
    when: action.args.amount > 10000
    effect: escalate
    reason: big
    obligations:
      redact: [action.args.iban]
      approvals: [{ roles: [treasury], count: 2 }]
  - id: small
    target: { kinds: [tool_call], tools: ["payments.*"] }
    when: action.args.amount <= 10000 && "payments:execute" in agent.permissions
    effect: allow
    reason: small
  - id: never-tested
    target: { tools: [other] }
    effect: deny
    reason: x
`;

function set(): CompiledPolicySet {
  const r = loadPolicySet([{ path: 'policies/pay.yaml', content: POLICY }]);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

function cases(content: string): PolicyTestCase[] {
  const r = parsePolicyTests([{ path: 'tests/pay.yaml', content }]);
  if (!r.ok) throw new Error(JSON.stringify(r.error, null, 2));
  return r.value;
}

const TESTS = `tests:
  - name: large transfer escalates
    input:
      agent: { id: pay-bot, permissions: ["payments:execute"] }
      action: { tool: payments.transfer, args: { amount: 20000, currency: EUR } }
      context: { purpose: vendor-payment }
    expect:
      outcome: escalate
      matched: [big]
      redact: [action.args.iban]
      approvals: 2
  - name: small transfer allowed
    input:
      agent: { permissions: ["payments:execute"] }
      action: { tool: payments.transfer, args: { amount: 10 } }
      now: "2026-06-01T00:00:00Z"
    expect: { outcome: allow, matched: [pay/small], code: rule_matched }
  - name: wrong expectation
    input:
      action: { tool: payments.transfer, args: { amount: 10 } }
    expect: { outcome: allow, matched: [small, big] }
`;

describe('policy test files', () => {
  it('parses cases and completes inputs with defaults', () => {
    const [first, second] = cases(TESTS);
    expect(first!.name).toBe('large transfer escalates');
    expect(first!.position).toEqual({ file: 'tests/pay.yaml', line: 2, column: 5 });
    expect(first!.input).toEqual({
      agent: {
        id: 'pay-bot',
        roles: [],
        permissions: ['payments:execute'],
        attributes: {},
        on_behalf_of: null,
      },
      action: {
        kind: 'tool_call',
        tool: 'payments.transfer',
        server: '',
        args: { amount: 20000, currency: 'EUR' },
        prompt: '',
      },
      context: { purpose: 'vendor-payment' },
      findings: {},
      risk: {},
      usage: {},
      posture: 'normal',
      now: DEFAULT_TEST_NOW,
    });
    expect(second!.input.now).toBe(Date.UTC(2026, 5, 1));
    expect(second!.expect).toEqual({ outcome: 'allow', matched: ['pay/small'], code: 'rule_matched' });
  });

  it('reports malformed cases with positions', () => {
    const r = parsePolicyTests([
      {
        path: 't.yaml',
        content: `tests:
  - name: a
    input: { agent: { roles: admin }, action: { tol: x }, now: yesterday }
    expect: { outcome: permit }
  - name: b
    input: { context: { regoin: eu } }
    expect: { outcome: allow, matched: ["a b"] }
  - name: d
    expect: { outcome: deny }
  - name: d
    expect: { outcome: deny }
  - name: c
`,
      },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.map((d) => `${d.position.line}:${d.position.column} ${d.message}`)).toEqual([
      '3:21 tests[0].input.agent.roles must be a list of strings',
      expect.stringMatching(
        /^3:49 unknown key "tol" in tests\[0\]\.input\.action \(did you mean "tool"\?\); allowed: kind, tool,/,
      ),
      '3:64 tests[0].input.now "yesterday" is not an RFC 3339 timestamp like 2026-06-01T00:00:00Z',
      '4:24 tests[0].expect.outcome must be one of allow, deny, escalate, got "permit"',
      expect.stringMatching(
        /^6:25 unknown key "regoin" in tests\[1\]\.input\.context \(did you mean "region"\?\)/,
      ),
      '7:41 tests[1].expect.matched[0] "a b" is not a rule id or policy-id/rule-id',
      '10:5 duplicate test name "d" in this file',
      '12:5 tests[4]: missing required key "expect"',
    ]);
  });
});

describe('running policy tests', () => {
  it('passes and fails cases with the differences spelt out', () => {
    const report = runPolicyTests(set(), cases(TESTS));
    expect(report.total).toBe(3);
    expect(report.passed).toBe(2);
    expect(report.failed).toBe(1);
    expect(report.results.map((r) => r.passed)).toEqual([true, true, false]);
    expect(report.results[2]!.failures).toEqual([
      'outcome: expected allow, got deny (no_rule_matched)',
      'matched: expected but not matched: small, big',
    ]);
    expect(report.results[2]!.actual).toEqual({
      outcome: 'deny',
      code: 'no_rule_matched',
      matched: [],
      errors: [],
    });
  });

  it('checks code, redact and approvals when given', () => {
    const report = runPolicyTests(
      set(),
      cases(`tests:
  - name: all wrong
    input: { action: { tool: payments.x, args: { amount: 20000 } } }
    expect: { outcome: escalate, code: no_rule_matched, matched: [big, pay/small], redact: [], approvals: 1 }
`),
    );
    expect(report.results[0]!.failures).toEqual([
      'code: expected no_rule_matched, got rule_matched',
      'matched: expected but not matched: pay/small',
      'redact: expected [], got [action.args.iban]',
      'approvals: expected 1 approver(s), got 2',
    ]);
  });

  it('measures rule coverage', () => {
    const report = runPolicyTests(set(), cases(TESTS));
    expect(report.coverage).toEqual({
      rules: [
        {
          policy_id: 'pay',
          rule_id: 'big',
          position: { file: 'policies/pay.yaml', line: 5, column: 5 },
          hits: 1,
        },
        {
          policy_id: 'pay',
          rule_id: 'small',
          position: { file: 'policies/pay.yaml', line: 13, column: 5 },
          hits: 1,
        },
        {
          policy_id: 'pay',
          rule_id: 'never-tested',
          position: { file: 'policies/pay.yaml', line: 18, column: 5 },
          hits: 0,
        },
      ],
      covered: 2,
      total: 3,
      percent: (100 * 2) / 3,
    });
  });

  it('formats a report that is easy to read', () => {
    const text = formatPolicyTestReport(runPolicyTests(set(), cases(TESTS)));
    expect(text).toBe(
      [
        'PASS  large transfer escalates  (tests/pay.yaml:2)',
        'PASS  small transfer allowed  (tests/pay.yaml:12)',
        'FAIL  wrong expectation  (tests/pay.yaml:18)',
        '      outcome: expected allow, got deny (no_rule_matched)',
        '      matched: expected but not matched: small, big',
        '      matched: (none)',
        '',
        '3 test(s): 2 passed, 1 failed',
        'rule coverage: 2/3 rules (66.7%)',
        '  not covered: pay/never-tested  (policies/pay.yaml:18)',
      ].join('\n'),
    );
    expect(formatPolicyTestReport(runPolicyTests(set(), cases(TESTS)), { verbose: false })).not.toContain(
      'PASS',
    );
  });
});
