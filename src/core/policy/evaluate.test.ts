import { describe, expect, it } from 'vitest';
import { loadPolicySet } from './load.js';
import { defaultPolicyInput } from './tests-parse.js';
import type { CompiledPolicySet, PolicyInput } from './types.js';

const HEAD = 'apiVersion: portcullis.dev/v1\nkind: Policy\nmetadata: { id: p, version: "1" }\nrules:\n';

function load(rules: string, head = HEAD): CompiledPolicySet {
  const r = loadPolicySet([{ path: 'e.yaml', content: head + rules }]);
  if (!r.ok) throw new Error(JSON.stringify(r.error, null, 2));
  return r.value;
}

function call(
  tool: string,
  args: Record<string, unknown> = {},
  patch: (i: PolicyInput) => void = () => {},
): PolicyInput {
  const input = defaultPolicyInput();
  input.action = { ...input.action, kind: 'tool_call', tool, args: args as PolicyInput['action']['args'] };
  patch(input);
  return input;
}

const ids = (set: CompiledPolicySet, input: PolicyInput): string[] =>
  set.evaluate(input).matched.map((m) => m.rule_id);

describe('combining rules', () => {
  const rules =
    [
      '  - { id: allow-all, effect: allow, reason: ok, target: { kinds: [tool_call] } }',
      '  - { id: esc-big, effect: escalate, reason: big, target: { tools: [pay.*] }, when: action.args.amount > 100 }',
      '  - { id: deny-ir, effect: deny, reason: sanctioned, target: { tools: [pay.*] }, when: action.args.country == "IR" }',
    ].join('\n') + '\n';
  const set = load(rules);

  it('allows when only allow rules match', () => {
    const ev = set.evaluate(call('pay.send', { amount: 1, country: 'DE' }));
    expect(ev).toMatchObject({ outcome: 'allow', code: 'rule_matched', errors: [], candidates: 3 });
    expect(ev.matched).toEqual([{ policy_id: 'p', rule_id: 'allow-all', effect: 'allow', reason: 'ok' }]);
  });

  it('escalate overrides allow, deny overrides both', () => {
    expect(set.evaluate(call('pay.send', { amount: 500, country: 'DE' })).outcome).toBe('escalate');
    const ev = set.evaluate(call('pay.send', { amount: 500, country: 'IR' }));
    expect(ev.outcome).toBe('deny');
    expect(ev.matched.map((m) => m.rule_id)).toEqual(['allow-all', 'esc-big', 'deny-ir']);
  });

  it('denies with no_rule_matched when nothing matches', () => {
    const ev = set.evaluate(call('x', {}, (i) => (i.action.kind = 'llm.chat')));
    expect(ev).toEqual({
      outcome: 'deny',
      code: 'no_rule_matched',
      matched: [],
      errors: [],
      obligations: { redact: [], approvals: [] },
      candidates: 0,
    });
  });

  it('denies with policy_eval_error when a condition throws, listing the error', () => {
    // No `country` key: the field access fails, which must not be read as "false".
    const ev = set.evaluate(call('pay.send', { amount: 1 }));
    expect(ev.outcome).toBe('deny');
    expect(ev.code).toBe('policy_eval_error');
    expect(ev.errors).toEqual([{ policy_id: 'p', rule_id: 'deny-ir', message: 'No such key: country' }]);
    expect(ev.matched.map((m) => m.rule_id)).toEqual(['allow-all']);
  });

  it('treats a non-bool result as an error', () => {
    const s = load('  - { id: flag, effect: allow, reason: x, when: action.args.flag }\n');
    const ev = s.evaluate(call('t', { flag: 'yes' }));
    expect(ev).toMatchObject({ outcome: 'deny', code: 'policy_eval_error' });
    expect(ev.errors[0]!.message).toBe('condition evaluated to a string, not a bool');
    expect(s.evaluate(call('t', { flag: true })).outcome).toBe('allow');
    expect(s.evaluate(call('t', { flag: 1 })).errors[0]!.message).toBe(
      'condition evaluated to the double 1, not a bool',
    );
  });

  it('gives the same result for the same input, every time and in every set instance', () => {
    const input = call('pay.send', { amount: 500, country: 'IR' });
    const first = JSON.stringify(set.evaluate(input, { explain: true }));
    for (let i = 0; i < 5; i++) expect(JSON.stringify(set.evaluate(input, { explain: true }))).toBe(first);
    expect(JSON.stringify(load(rules).evaluate(input, { explain: true }))).toBe(first);
  });

  it('orders matched rules by policy id, then file order, whatever the file order', () => {
    const a = {
      path: 'a.yaml',
      content: HEAD.replace('id: p', 'id: zeta') + '  - { id: z1, effect: allow, reason: x }\n',
    };
    const b = {
      path: 'b.yaml',
      content:
        HEAD.replace('id: p', 'id: alpha') +
        '  - { id: a2, effect: allow, reason: x }\n  - { id: a1, effect: allow, reason: x }\n',
    };
    for (const files of [
      [a, b],
      [b, a],
    ]) {
      const r = loadPolicySet(files);
      expect(r.ok && r.value.evaluate(call('t')).matched.map((m) => `${m.policy_id}/${m.rule_id}`)).toEqual([
        'alpha/a2',
        'alpha/a1',
        'zeta/z1',
      ]);
    }
  });
});

describe('obligations', () => {
  const set = load(
    [
      '  - id: a',
      '    effect: allow',
      '    reason: x',
      '    obligations: { redact: [action.args.iban, action.args.name] }',
      '  - id: e1',
      '    effect: escalate',
      '    reason: y',
      '    when: action.args.amount > 10',
      '    obligations:',
      '      redact: [action.args.iban]',
      '      approvals: [{ roles: [treasury], count: 2, expires_in: 4h }]',
      '  - id: e2',
      '    effect: escalate',
      '    reason: z',
      '    when: action.args.amount > 1000',
      '    obligations: { approvals: [{ roles: [cfo], count: 1 }] }',
      '  - id: d',
      '    effect: deny',
      '    reason: no',
      '    when: action.args.amount > 100000',
      '    obligations: { redact: [context.attributes.secret] }',
    ].join('\n') + '\n',
  );

  it('unions the redact paths of matched rules, in rule order, without duplicates', () => {
    expect(set.evaluate(call('t', { amount: 1 })).obligations).toEqual({
      redact: ['action.args.iban', 'action.args.name'],
      approvals: [],
    });
  });

  it('collects the approvers of every matched escalate rule', () => {
    expect(set.evaluate(call('t', { amount: 5000 })).obligations).toEqual({
      redact: ['action.args.iban', 'action.args.name'],
      approvals: [
        { roles: ['treasury'], count: 2, expires_in: '4h' },
        { roles: ['cfo'], count: 1 },
      ],
    });
  });

  it('drops approvals when a deny wins, keeps redactions', () => {
    expect(set.evaluate(call('t', { amount: 1e6 })).obligations).toEqual({
      redact: ['action.args.iban', 'action.args.name', 'context.attributes.secret'],
      approvals: [],
    });
  });

  it('returns fresh obligation objects that callers may change', () => {
    const one = set.evaluate(call('t', { amount: 5000 }));
    one.obligations.redact.push('x');
    one.obligations.approvals[0]!.roles.push('y');
    expect(set.evaluate(call('t', { amount: 5000 })).obligations.redact).not.toContain('x');
    expect(set.evaluate(call('t', { amount: 5000 })).obligations.approvals[0]!.roles).toEqual(['treasury']);
  });
});

describe('numbers, timestamps and input defaults in conditions', () => {
  const set = load(
    [
      "  - { id: big, effect: allow, reason: x, when: 'action.args.amount > 10000' }",
      "  - { id: eq, effect: allow, reason: x, when: 'action.args.amount == 20000' }",
      "  - { id: arith, effect: allow, reason: x, when: 'action.args.amount * 2 + 1 > 40000' }",
      "  - { id: roles, effect: allow, reason: x, when: 'size(agent.roles) > 1' }",
      "  - { id: inlist, effect: allow, reason: x, when: 'action.args.amount in [20000, 30000]' }",
      '  - { id: before, effect: allow, reason: x, when: \'now < timestamp("2027-01-01T00:00:00Z")\' }',
      '  - { id: recent, effect: allow, reason: x, when: \'now - duration("24h") > timestamp("2026-05-31T00:00:00Z")\' }',
      '  - { id: purpose, effect: allow, reason: x, when: \'context.purpose == "" && size(context.lineage) == 0\' }',
      "  - { id: optional, effect: allow, reason: x, when: 'action.args.?limit.orValue(5) == 5' }",
    ].join('\n') + '\n',
  );

  it('compares JSON numbers with int literals whether or not they have a fraction', () => {
    expect(ids(set, call('t', { amount: 20000 }))).toEqual([
      'big',
      'eq',
      'arith',
      'inlist',
      'before',
      'purpose',
      'optional',
    ]);
    expect(ids(set, call('t', { amount: 20000.5 }))).toEqual([
      'big',
      'arith',
      'before',
      'purpose',
      'optional',
    ]);
    expect(ids(set, call('t', { amount: 9999.5 }))).toEqual(['before', 'purpose', 'optional']);
    expect(set.evaluate(call('t', { amount: 9999.5 })).errors).toEqual([]);
  });

  it('counts lists with size() against int literals', () => {
    const input = call('t', { amount: 0 }, (i) => (i.agent.roles = ['a', 'b']));
    expect(ids(set, input)).toContain('roles');
  });

  it('sees now as a timestamp', () => {
    expect(
      ids(
        set,
        call('t', { amount: 0 }, (i) => (i.now = Date.UTC(2026, 5, 1, 12))),
      ),
    ).toContain('recent');
    expect(
      ids(
        set,
        call('t', { amount: 0 }, (i) => (i.now = Date.UTC(2027, 0, 1))),
      ),
    ).not.toContain('before');
  });

  it('sees now inside macros and bindings (the per-decision timestamp is not skipped)', () => {
    const s = load(
      [
        "  - { id: m, effect: allow, reason: x, when: 'action.args.ds.exists(d, now > timestamp(d))' }",
        '  - { id: b, effect: allow, reason: x, when: \'cel.bind(t, now, t > timestamp("2025-01-01T00:00:00Z"))\' }',
      ].join('\n') + '\n',
    );
    expect(ids(s, call('t', { ds: ['2025-06-01T00:00:00Z'] }))).toEqual(['m', 'b']);
    expect(
      ids(
        s,
        call('t', { ds: ['2025-06-01T00:00:00Z'] }, (i) => (i.now = Date.UTC(2024, 0, 1))),
      ),
    ).toEqual([]);
  });

  it('fills undeclared context fields with empty values, keeps declared ones', () => {
    expect(
      ids(
        set,
        call('t', { amount: 0 }, (i) => (i.context = { purpose: 'treatment' })),
      ),
    ).not.toContain('purpose');
    expect(
      ids(
        set,
        call('t', { amount: 0 }, (i) => (i.context = null as unknown as PolicyInput['context'])),
      ),
    ).toContain('purpose');
  });
});

describe('targets and the index', () => {
  const set = load(
    [
      '  - { id: exact, effect: allow, reason: x, target: { tools: [payments.transfer] } }',
      '  - { id: prefix, effect: allow, reason: x, target: { tools: ["payments.*"] } }',
      '  - { id: suffix, effect: allow, reason: x, target: { tools: ["*.delete"] } }',
      '  - { id: middle, effect: allow, reason: x, target: { tools: ["db.*.drop*"] } }',
      '  - { id: kind-only, effect: allow, reason: x, target: { kinds: ["mcp.*"] } }',
      '  - { id: both, effect: allow, reason: x, target: { kinds: [tool_call], tools: [payments.transfer, "payments.transfer"] } }',
      '  - { id: any, effect: allow, reason: x }',
      ...Array.from(
        { length: 200 },
        (_, i) => `  - { id: other${i}, effect: deny, reason: x, target: { tools: [svc${i}.op] } }`,
      ),
    ].join('\n') + '\n',
  );
  const sel = (kind: string, tool: string): [number, string[]] => {
    const ev = set.evaluate(
      call(tool, {}, (i) => (i.action.kind = kind)),
      { explain: true },
    );
    return [ev.candidates, ev.explanation!.map((e) => e.rule_id)];
  };

  it('selects only the rules whose target matches, each once, in order', () => {
    expect(sel('tool_call', 'payments.transfer')).toEqual([4, ['exact', 'prefix', 'both', 'any']]);
    expect(sel('tool_call', 'payments.v2.refund')).toEqual([2, ['prefix', 'any']]);
    expect(sel('tool_call', 'files.delete')).toEqual([2, ['suffix', 'any']]);
    expect(sel('tool_call', 'db.main.drop_table')).toEqual([2, ['middle', 'any']]);
    expect(sel('tool_call', 'db.drop')).toEqual([1, ['any']]);
    expect(sel('mcp.tools_call', 'payments.transfer')).toEqual([4, ['exact', 'prefix', 'kind-only', 'any']]);
    expect(sel('tool_call', 'svc7.op')).toEqual([2, ['any', 'other7']]);
    expect(sel('tool_call', 'payments')).toEqual([1, ['any']]);
  });

  it('gives the same selection from the cache as on first use', () => {
    const first = sel('tool_call', 'payments.transfer');
    expect(sel('tool_call', 'payments.transfer')).toEqual(first);
  });

  it('stays correct when a flood of distinct tool names makes the memo start over', () => {
    const wide = load(
      Array.from(
        { length: 50 },
        (_, i) => `  - { id: k${i}, effect: allow, reason: x, target: { kinds: [tool_call] } }`,
      ).join('\n') + '\n  - { id: only-a, effect: deny, reason: x, target: { tools: [a] } }\n',
    );
    const before = JSON.stringify(wide.evaluate(call('a'), { explain: true }));
    for (let i = 0; i < 12_000; i++) wide.evaluate(call(`flood.${i}`));
    expect(JSON.stringify(wide.evaluate(call('a'), { explain: true }))).toBe(before);
    expect(wide.evaluate(call('flood.1')).candidates).toBe(50);
  });

  it('cannot be confused by separator characters in names', () => {
    expect(sel('tool_call\u0000payments', 'transfer')).toEqual([1, ['any']]);
    expect(sel('tool_call', '')).toEqual([1, ['any']]);
  });
});

describe('explain', () => {
  it('lists every candidate with its condition and what it evaluated to', () => {
    const set = load(
      [
        "  - { id: t, effect: allow, reason: x, when: 'action.args.n > 1' }",
        "  - { id: f, effect: deny, reason: x, when: 'action.args.n > 100' }",
        "  - { id: err, effect: deny, reason: x, when: 'action.args.missing' }",
        '  - { id: always, effect: allow, reason: x }',
        '  - { id: elsewhere, effect: deny, reason: x, target: { tools: [other] } }',
      ].join('\n') + '\n',
    );
    const ev = set.evaluate(call('t', { n: 5 }), { explain: true });
    expect(ev.explanation).toEqual([
      { policy_id: 'p', rule_id: 't', effect: 'allow', condition: 'action.args.n > 1', result: true },
      { policy_id: 'p', rule_id: 'f', effect: 'deny', condition: 'action.args.n > 100', result: false },
      {
        policy_id: 'p',
        rule_id: 'err',
        effect: 'deny',
        condition: 'action.args.missing',
        result: { error: 'No such key: missing' },
      },
      { policy_id: 'p', rule_id: 'always', effect: 'allow', condition: 'true', result: true },
    ]);
    expect(set.evaluate(call('t', { n: 5 }))).not.toHaveProperty('explanation');
  });
});

describe('version', () => {
  const files = [
    { path: 'a.yaml', content: HEAD + '  - { id: r, effect: allow, reason: x }\n' },
    { path: 'b.yaml', content: HEAD.replace('id: p', 'id: q') + '  - { id: r, effect: allow, reason: x }\n' },
  ];
  const version = (fs: typeof files): string => {
    const r = loadPolicySet(fs);
    if (!r.ok) throw new Error('load failed');
    return r.value.version;
  };

  it('is a sha256 content hash independent of file order', () => {
    expect(version(files)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(version([files[1]!, files[0]!])).toBe(version(files));
  });

  it('changes with any byte of content or path, including moving bytes between them', () => {
    const base = version(files);
    expect(version([{ ...files[0]!, content: files[0]!.content + '#' }, files[1]!])).not.toBe(base);
    expect(version([{ ...files[0]!, path: 'c.yaml' }, files[1]!])).not.toBe(base);
    const x = version([{ path: 'ab', content: `${HEAD}  - { id: r, effect: allow, reason: x }\n` }]);
    const y = version([{ path: 'a', content: `b${HEAD}  - { id: r, effect: allow, reason: x }\n`.slice(1) }]);
    expect(x).not.toBe(y);
  });
});
