import { describe, expect, it } from 'vitest';
import { limitActivation } from '../limits/compile.js';
import { loadPolicySet } from './load.js';
import type { CompiledPolicySet, PolicyDiagnostic } from './types.js';

const head = (id: string): string =>
  `apiVersion: portcullis.dev/v1\nkind: Policy\nmetadata: { id: ${id}, version: "1" }\n`;
const RULES = 'rules:\n  - { id: r, effect: allow, reason: x, target: { tools: [t] } }\n';

function load(...contents: string[]): CompiledPolicySet {
  const r = loadPolicySet(contents.map((content, i) => ({ path: `p${i}.yaml`, content })));
  if (!r.ok) throw new Error(JSON.stringify(r.error, null, 2));
  return r.value;
}

function fail(...contents: string[]): PolicyDiagnostic[] {
  const r = loadPolicySet(contents.map((content, i) => ({ path: `p${i}.yaml`, content })));
  if (r.ok) throw new Error('expected the load to fail');
  return r.error;
}

/** `file:line:column code message` of each diagnostic. */
const brief = (ds: PolicyDiagnostic[]): string[] =>
  ds.map((d) => `${d.position.file}:${d.position.line}:${d.position.column} ${d.code} ${d.message}`);

const PAYMENTS =
  head('payments') +
  `limits:
  - id: transfers-per-minute
    target: { kinds: [tool_call], tools: ['payments.*'] }
    kind: token_bucket
    capacity: 10
    refill_per_second: 0.1667
  - id: money-moved-24h
    target: { tools: [payments.transfer] }
    key: 'agent.on_behalf_of != null ? agent.on_behalf_of : agent.id'
    kind: rolling_sum
    window: 24h
    max: 100000
    amount: action.args.amount
    buckets: 24
` +
  RULES;

const activation = (args: Record<string, number>, onBehalfOf: string | null = null) =>
  limitActivation({
    agent: { id: 'pay-bot', roles: [], permissions: [], attributes: {} },
    onBehalfOf,
    action: { kind: 'tool_call', tool: 'payments.transfer', args },
    context: undefined,
    impact: { cost_usd: 12.5 },
    posture: 'normal',
    now: Date.UTC(2026, 0, 1),
  });

describe('policy limits: parse and compile', () => {
  it('loads the documented shape and exposes compiled limits that evaluate key and amount', () => {
    const set = load(PAYMENTS);
    expect(set.limits.map((l) => l.spec.id)).toEqual(['transfers-per-minute', 'money-moved-24h']);
    const [bucket, money] = set.limits;
    expect(bucket!.spec).toEqual({
      id: 'transfers-per-minute',
      target: { kinds: ['tool_call'], tools: ['payments.*'] },
      kind: 'token_bucket',
      capacity: 10,
      refill_per_second: 0.1667,
    });
    expect(bucket!.counter).toEqual({ kind: 'token_bucket', capacity: 10, refill_per_second: 0.1667 });
    expect(money!.counter).toEqual({ kind: 'rolling_sum', window_ms: 86_400_000, max: 100000, buckets: 24 });
    expect(money!.matches('tool_call', 'payments.transfer')).toBe(true);
    expect(money!.matches('tool_call', 'payments.refund')).toBe(false);
    expect(bucket!.matches('tool_call', 'payments.refund')).toBe(true);
    expect(bucket!.matches('llm.chat', 'payments.refund')).toBe(false);

    expect(money!.key(activation({ amount: 2500 }, 'carol'))).toBe('carol');
    expect(money!.key(activation({ amount: 2500 }))).toBe('pay-bot');
    expect(money!.cost(activation({ amount: 2500 }))).toBe(2500);
    expect(bucket!.key(activation({}))).toBe('pay-bot');
    expect(bucket!.cost(activation({ amount: 2500 }))).toBe(1);
  });

  it('orders limits like rules (policy id, then file order) and sees impact in amounts', () => {
    const set = load(
      head('zeta') +
        'limits:\n  - { id: z1, kind: token_bucket, capacity: 1, refill_per_second: 0 }\n' +
        RULES,
      head('alpha') +
        "limits:\n  - { id: a1, kind: rolling_sum, window_ms: 60000, max: 100, amount: 'impact.cost_usd * 2' }\n" +
        '  - { id: a2, kind: token_bucket, capacity: 1, refill_per_second: 1, key: \'"shared"\' }\n' +
        RULES.replace('id: r', 'id: s'),
    );
    expect(set.limits.map((l) => l.spec.id)).toEqual(['a1', 'a2', 'z1']);
    expect(set.limits[0]!.cost(activation({}))).toBe(25);
    expect(set.limits[1]!.key(activation({}))).toBe('shared');
    expect(Object.isFrozen(set.limits)).toBe(true);
  });

  it('a policy without limits has none; limits: [] is allowed', () => {
    expect(load(head('p') + RULES).limits).toEqual([]);
    expect(load(head('p') + 'limits: []\n' + RULES).limits).toEqual([]);
  });

  it('changing a limit changes the policy set version', () => {
    const a = load(PAYMENTS);
    const b = load(PAYMENTS.replace('capacity: 10', 'capacity: 11'));
    expect(a.version).not.toBe(b.version);
    expect(load(PAYMENTS).version).toBe(a.version);
  });
});

describe('policy limits: errors point at the offending node', () => {
  // Line numbers: head() is lines 1-3, `limits:` is line 4, the first entry starts on line 5.
  const entry = (body: string): string => `${head('pay')}limits:\n${body}${RULES}`;

  it('unknown keys, at the key, with a hint and the ids', () => {
    const ds = fail(
      entry(
        '  - id: calls\n' +
          '    kind: token_bucket\n' +
          '    capcity: 10\n' +
          '    capacity: 10\n' +
          '    refill_per_second: 1\n' +
          '    target: { tools: [t], tool: [u] }\n',
      ),
    );
    expect(brief(ds)).toEqual([
      'p0.yaml:7:5 policy_parse_error unknown key "capcity" in limits[0] (did you mean "capacity"?); allowed: id, description, target, key, kind, capacity, refill_per_second',
      'p0.yaml:10:27 policy_parse_error unknown key "tool" in limits[0].target (did you mean "tools"?); allowed: kinds, tools',
    ]);
    expect(ds[0]).toMatchObject({ policy_id: 'pay', limit_id: 'calls' });
  });

  it('wrong types, at the value', () => {
    const ds = fail(
      entry(
        '  - id: calls\n' +
          '    kind: token_bucket\n' +
          '    capacity: "10"\n' +
          '    refill_per_second: 1\n' +
          '    target: { tools: t }\n',
      ),
    );
    expect(brief(ds)).toEqual([
      'p0.yaml:7:15 policy_parse_error limits[0].capacity must be a number, got the string "10"',
      'p0.yaml:9:22 policy_parse_error limits[0].target.tools must be a list, got the string "t"',
    ]);
    expect(ds[1]).toMatchObject({ policy_id: 'pay', limit_id: 'calls' });
  });

  it('missing keys and an unknown kind, at the entry or the kind', () => {
    expect(brief(fail(entry('  - { id: m, kind: rolling_sum, window: 1h }\n')))).toEqual([
      'p0.yaml:5:5 policy_parse_error limits[0]: missing required key "max"',
    ]);
    expect(brief(fail(entry('  - { id: m, capacity: 1 }\n')))).toEqual([
      'p0.yaml:5:5 policy_parse_error limits[0]: missing required key "kind" (token_bucket or rolling_sum)',
    ]);
    expect(brief(fail(entry('  - id: m\n    kind: leaky\n    capacity: 1\n')))).toEqual([
      'p0.yaml:6:11 policy_parse_error limits[0].kind must be one of token_bucket, rolling_sum, got the string "leaky"',
    ]);
  });

  it('bad values: ids, globs, durations, ranges, and window with window_ms', () => {
    const ds = fail(
      entry(
        '  - id: "-bad"\n' +
          '    kind: token_bucket\n' +
          '    capacity: 0\n' +
          '    refill_per_second: 1\n' +
          '  - id: w\n' +
          '    target: { tools: [ok, "a b"] }\n' +
          '    kind: rolling_sum\n' +
          '    window: 1 day\n' +
          '    max: 5\n' +
          '  - { id: both, kind: rolling_sum, window: 1h, window_ms: 1000, max: 1 }\n',
      ),
    );
    expect(brief(ds)).toEqual([
      'p0.yaml:5:9 policy_parse_error limits[0].id "-bad" is not an id (letters, digits, . _ -, at most 128)',
      'p0.yaml:7:15 policy_parse_error limits[0].capacity: Too small: expected number to be >0',
      'p0.yaml:10:27 policy_parse_error limits[1].target.tools[1] "a b" is not a name or glob of letters, digits, _ . : / @ - and the wildcard *',
      'p0.yaml:12:13 policy_parse_error limits[1].window "1 day" is not a duration like 60s, 1h, 24h, 7d or PT24H',
      'p0.yaml:14:5 policy_parse_error limits[2]: set exactly one of window or window_ms',
    ]);
    expect(ds.map((d) => d.limit_id)).toEqual(['-bad', '-bad', 'w', 'w', 'both']);
  });

  it('limits must be a list of maps', () => {
    expect(brief(fail(`${head('pay')}limits: { id: x }\n${RULES}`))).toEqual([
      'p0.yaml:4:9 policy_parse_error limits must be a list, got a map',
    ]);
    expect(brief(fail(entry('  - just-a-name\n')))).toEqual([
      'p0.yaml:5:5 policy_parse_error limits[0] must be a map, got the string "just-a-name"',
    ]);
    expect(brief(fail(`${head('pay')}limit: []\n${RULES}`))[0]).toContain(
      'unknown key "limit" at the top level (did you mean "limits"?)',
    );
  });

  it('a limit id declared twice, in one policy or across files, is an error at the later one', () => {
    const one = (id: string): string =>
      `  - { id: ${id}, kind: token_bucket, capacity: 1, refill_per_second: 1 }\n`;
    const ds = fail(
      `${head('b')}limits:\n${one('calls')}${one('spend')}${RULES}`,
      `${head('a')}limits:\n${one('other')}${one('calls')}${RULES}`,
      `${head('c')}limits:\n${one('c1')}${one('c1')}${RULES}`,
    );
    expect(brief(ds)).toEqual([
      'p1.yaml:6:5 policy_parse_error duplicate limit id "calls" (first declared in policy "b" at p0.yaml:5:5); limit ids are global, each names usage.calls',
      'p2.yaml:6:5 policy_parse_error duplicate limit id "c1" (first declared in policy "c" at p2.yaml:5:5); limit ids are global, each names usage.c1',
    ]);
    expect(ds[0]).toMatchObject({ policy_id: 'a', limit_id: 'calls' });
  });

  it('CEL compile errors in key and amount, at the character in the expression', () => {
    const ds = fail(
      entry(
        '  - id: k\n' +
          '    kind: token_bucket\n' +
          '    capacity: 1\n' +
          '    refill_per_second: 1\n' +
          "    key: 'agent.id + )'\n" +
          '  - id: a\n' +
          '    kind: rolling_sum\n' +
          '    window: 1h\n' +
          '    max: 1\n' +
          '    amount: |\n' +
          '      action.args.amount\n' +
          '        + nope\n' +
          '  - { id: t, kind: token_bucket, capacity: 1, refill_per_second: 1, key: agent.id == "x" }\n',
      ),
    );
    expect(ds.every((d) => d.code === 'policy_compile_error')).toBe(true);
    expect(ds.map((d) => [d.limit_id, d.position.line, d.position.column])).toEqual([
      ['k', 9, 22],
      ['a', 16, 11],
      ['t', 17, 74],
    ]);
    expect(ds[0]!.message).toMatch(
      /^limit "k": key does not compile: .*\(at character 12 of the expression\)$/,
    );
    expect(ds[1]!.message).toMatch(
      /^limit "a": amount does not compile: .*nope.*\(at character 24 of the expression\)$/,
    );
    expect(ds[2]!.message).toBe(
      'limit "t": key must be of type string or int or double, not bool (at character 1 of the expression)',
    );
    expect(ds[2]).toMatchObject({ policy_id: 'pay' });
  });
});

describe('policy limits: lint', () => {
  const NOW = Date.UTC(2026, 5, 1);
  it('warns when a condition reads usage.<id> that no policy declares', () => {
    const set = load(
      PAYMENTS,
      head('rules') +
        'rules:\n' +
        '  - id: low\n' +
        '    target: { tools: [payments.transfer] }\n' +
        '    when: usage["money-moved-24h"].remaining < 100 || usage.nope.used > 1 || has(usage.nope)\n' +
        '    effect: escalate\n' +
        '    reason: x\n' +
        '  - id: dashed\n' +
        '    target: { tools: [payments.transfer] }\n' +
        '    when: \'usage[?"spend-1d"].orValue({"used": 0}).used > 1\'\n' +
        '    effect: deny\n' +
        '    reason: x\n',
    );
    const ws = set.lint(NOW);
    expect(ws.map((w) => `${w.kind} ${w.policy_id}/${w.rule_id ?? '-'} @${w.position.line}`)).toEqual([
      'unknown_limit rules/low @5',
      'unknown_limit rules/dashed @10',
    ]);
    expect(ws[0]!.message).toBe(
      'rule "low" reads usage.nope, but no policy declares a limit "nope" (declared: transfers-per-minute, money-moved-24h)',
    );
    expect(ws[1]!.message).toContain('reads usage["spend-1d"]');
  });

  it('says so when the set declares no limits at all', () => {
    const set = load(
      head('p') +
        "rules:\n  - { id: r, effect: deny, reason: x, target: { tools: [t] }, when: 'usage.calls.used > 5' }\n",
    );
    expect(set.lint(NOW)).toEqual([
      {
        kind: 'unknown_limit',
        message:
          'rule "r" reads usage.calls, but no policy declares a limit "calls" (no limits are declared)',
        position: { file: 'p0.yaml', line: 5, column: 5 },
        policy_id: 'p',
        rule_id: 'r',
      },
    ]);
  });
});
