import { describe, expect, it } from 'vitest';
import { loadPolicySet } from './load.js';
import type { PolicyDiagnostic } from './types.js';

const HEAD = 'apiVersion: portcullis.dev/v1\nkind: Policy\nmetadata:\n  id: p\n  version: 1.0.0\nrules:\n';

function diagnostics(content: string, path = 'p.yaml'): PolicyDiagnostic[] {
  const r = loadPolicySet([{ path, content }]);
  if (r.ok) throw new Error('expected the policy set to be rejected');
  return r.error;
}

/** [line, column, message] of each diagnostic, for compact assertions. */
function where(ds: PolicyDiagnostic[]): Array<[number, number, string]> {
  return ds.map((d) => [d.position.line, d.position.column, d.message]);
}

describe('policy file parsing', () => {
  it('accepts a complete policy with every optional field', () => {
    const r = loadPolicySet([
      {
        path: 'ok.yaml',
        content: `${HEAD.replace('  version: 1.0.0\n', '  version: 1.0.0\n  owner: a@b.example\n  description: d\n  review_by: 2027-03-31\n  controls: ["NIST-CSF PR.AA-05"]\n')}  - id: r1
    description: x
    target: { kinds: [tool_call], tools: ["payments.*"] }
    when: action.args.amount > 10000
    effect: escalate
    reason: big
    obligations:
      redact: [action.args.account_number]
      approvals: [{ roles: [treasury-approver], count: 2, expires_in: 4h }]
`,
      },
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.policies).toEqual([
      {
        id: 'p',
        version: '1.0.0',
        owner: 'a@b.example',
        description: 'd',
        review_by: '2027-03-31',
        controls: ['NIST-CSF PR.AA-05'],
      },
    ]);
    expect(r.value.rules).toEqual([
      {
        policy_id: 'p',
        rule_id: 'r1',
        effect: 'escalate',
        reason: 'big',
        when: 'action.args.amount > 10000',
        position: { file: 'ok.yaml', line: 11, column: 5 },
      },
    ]);
  });

  it('reports an unknown key at its position with a suggestion', () => {
    const ds = diagnostics(
      `${HEAD}  - id: r1\n    effect: allow\n    reason: x\n    tagret: { kinds: [a] }\n`,
    );
    expect(where(ds)).toEqual([
      [10, 5, expect.stringContaining('unknown key "tagret" in rules[0] (did you mean "target"?)')],
    ]);
    expect(ds[0]).toMatchObject({ code: 'policy_parse_error', policy_id: 'p', rule_id: 'r1' });
  });

  it('reports unknown top-level and metadata keys', () => {
    const ds = diagnostics(
      HEAD.replace('rules:\n', 'extra: 1\nrules:\n  - { id: r, effect: allow, reason: x }\n').replace(
        '  version: 1.0.0\n',
        '  version: 1.0.0\n  owners: x\n',
      ),
    );
    expect(where(ds)).toEqual([
      [6, 3, expect.stringContaining('unknown key "owners" in metadata (did you mean "owner"?)')],
      [7, 1, expect.stringContaining('unknown key "extra" at the top level')],
    ]);
  });

  it('reports wrong types with the field path and the value found', () => {
    const ds = diagnostics(
      `${HEAD}  - id: r1\n    effect: permit\n    reason: 42\n    when: 42\n    target: { kinds: tool_call }\n`,
    );
    expect(where(ds)).toEqual([
      [8, 13, 'rules[0].effect must be one of allow, deny, escalate, got "permit"'],
      [9, 13, 'rules[0].reason must be a string, got the number 42 (quote it)'],
      [10, 11, 'rules[0].when must be a string, got the number 42 (quote it)'],
      [11, 22, 'rules[0].target.kinds must be a list of strings, got the string "tool_call"'],
    ]);
  });

  it('rejects a boolean condition instead of treating it as always', () => {
    const ds = diagnostics(`${HEAD}  - { id: r1, effect: allow, reason: x, when: true }\n`);
    expect(where(ds)).toEqual([[7, 47, 'rules[0].when must be a string, got the boolean true']]);
  });

  it('reports missing required keys at the map', () => {
    const ds = diagnostics(`${HEAD}  - id: r1\n    when: "true"\n`);
    expect(where(ds)).toEqual([
      [7, 5, 'rules[0]: missing required key "effect"'],
      [7, 5, 'rules[0]: missing required key "reason"'],
    ]);
    expect(where(diagnostics('apiVersion: portcullis.dev/v1\nkind: Policy\nrules: []\n'))).toEqual([
      [1, 1, 'missing required key "metadata"'],
    ]);
  });

  it('checks apiVersion, kind, ids, dates, durations and redact paths', () => {
    const ds = diagnostics(
      `apiVersion: portcullis.dev/v2\nkind: Policy\nmetadata: { id: "bad id", version: "1", review_by: 2027-02-30 }\nrules: []\n`,
    );
    expect(where(ds)).toEqual([
      [1, 13, 'apiVersion must be one of portcullis.dev/v1, got "portcullis.dev/v2"'],
      [3, 17, expect.stringContaining('metadata.id "bad id" is not an id')],
      [3, 52, 'metadata.review_by 2027-02-30 is not a valid calendar date'],
    ]);
    const ds2 = diagnostics(
      `${HEAD}  - id: r1\n    effect: escalate\n    reason: x\n    obligations:\n      redact: ["not a path"]\n      approvals: [{ roles: [a], count: 0 }, { roles: [a], count: 1, expires_in: soon }]\n`,
    );
    expect(where(ds2)).toEqual([
      [11, 16, expect.stringContaining('rules[0].obligations.redact[0] "not a path" is not a dotted path')],
      [
        12,
        40,
        'rules[0].obligations.approvals[0].count must be a whole number from 1 to 100, got the number 0',
      ],
      [
        12,
        81,
        expect.stringContaining('rules[0].obligations.approvals[1].expires_in "soon" is not a duration'),
      ],
    ]);
  });

  it('rejects approvals on a rule that does not escalate', () => {
    const ds = diagnostics(
      `${HEAD}  - id: r1\n    effect: allow\n    reason: x\n    obligations:\n      approvals: [{ roles: [a], count: 1 }]\n`,
    );
    expect(where(ds)).toEqual([
      [10, 5, "rules[0].obligations.approvals only apply to escalate rules, but this rule's effect is allow"],
    ]);
  });

  it('rejects target globs with characters outside the glob alphabet', () => {
    const ds = diagnostics(
      `${HEAD}  - { id: r1, effect: allow, reason: x, target: { tools: ["pay ments", "a?b"] } }\n`,
    );
    expect(ds.map((d) => d.message)).toEqual([
      expect.stringContaining('rules[0].target.tools[0] "pay ments" is not a name or glob'),
      expect.stringContaining('rules[0].target.tools[1] "a?b" is not a name or glob'),
    ]);
  });

  it('reports duplicate rule ids within a policy and duplicate policy ids across files', () => {
    const dupRule = diagnostics(
      `${HEAD}  - { id: r1, effect: allow, reason: x }\n  - { id: r1, effect: deny, reason: y }\n`,
    );
    expect(where(dupRule)).toEqual([
      [8, 5, 'duplicate rule id "r1" in policy "p" (first defined at line 7)'],
    ]);
    const r = loadPolicySet([
      { path: 'a.yaml', content: `${HEAD}  - { id: r1, effect: allow, reason: x }\n` },
      { path: 'b.yaml', content: `# same id\n${HEAD}  - { id: r2, effect: allow, reason: x }\n` },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toEqual([
      {
        code: 'policy_parse_error',
        message: 'duplicate policy id "p" (first defined at a.yaml:1:1)',
        position: { file: 'b.yaml', line: 2, column: 1 },
        policy_id: 'p',
      },
    ]);
  });

  it('reads several policies from one file separated by ---', () => {
    const two = `${HEAD}  - { id: r1, effect: allow, reason: x }\n---\n${HEAD.replace('id: p', 'id: q')}  - { id: r1, effect: deny, reason: y }\n`;
    const r = loadPolicySet([{ path: 'two.yaml', content: two }]);
    expect(r.ok && r.value.policies.map((p) => p.id)).toEqual(['p', 'q']);
    expect(r.ok && r.value.rules.map((x) => `${x.policy_id}/${x.rule_id}@${x.position.line}`)).toEqual([
      'p/r1@7',
      'q/r1@15',
    ]);
  });

  it('reports YAML syntax errors with their position and never throws', () => {
    const ds = diagnostics(`${HEAD}  - { id: r1, effect: allow\n`);
    expect(ds.length).toBeGreaterThan(0);
    expect(ds[0]!.code).toBe('policy_parse_error');
    expect(ds[0]!.message).toMatch(/^YAML: /);
    expect(ds[0]!.position.line).toBeGreaterThanOrEqual(7);
    const dupKey = diagnostics(`${HEAD}  - { id: r1, id: r2, effect: allow, reason: x }\n`);
    expect(dupKey[0]!.message).toMatch(/unique/i);
  });

  it('rejects an empty file and a document that is not a map', () => {
    expect(where(diagnostics('# nothing here\n'))).toEqual([[1, 1, 'file contains no policy document']]);
    expect(where(diagnostics('- a\n- b\n'))).toEqual([[1, 1, 'a policy document must be a map, got a list']]);
    expect(where(diagnostics(`${HEAD}  []\n`))).toEqual([[7, 3, 'rules must list at least one rule']]);
  });

  it('rejects an empty set of files and a path given twice', () => {
    expect(loadPolicySet([]).ok).toBe(false);
    const f = { path: 'a.yaml', content: `${HEAD}  - { id: r1, effect: allow, reason: x }\n` };
    const r = loadPolicySet([f, f]);
    expect(!r.ok && r.error[0]!.message).toBe('the same file path is given twice');
  });
});

describe('adversarial policy files', () => {
  it('stops an alias "billion laughs" bomb with a diagnostic', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]',
    ].join('\n');
    // In a policy (schema keys) and in a test input (free JSON, where aliases are expanded).
    const ds = diagnostics(
      `${HEAD}  - id: r1\n    effect: allow\n    reason: x\n    target:\n      tools: *a\n${bomb.replace(/^/gm, '# ')}\n`,
    );
    expect(ds.length).toBeGreaterThan(0);
    const ds2 = diagnostics(`${bomb}\n${HEAD}  - { id: r1, effect: allow, reason: x }\n`);
    expect(ds2.length).toBeGreaterThan(0);
  });

  it('follows a few aliases normally', () => {
    const r = loadPolicySet([
      {
        path: 'alias.yaml',
        content: `${HEAD}  - id: r1\n    effect: allow\n    reason: x\n    target: &t { tools: [a.b] }\n  - id: r2\n    effect: deny\n    reason: y\n    target: *t\n`,
      },
    ]);
    expect(r.ok).toBe(true);
  });

  it('turns very deep nesting into a diagnostic', () => {
    const deep = `${HEAD}  - id: r1\n    effect: allow\n    reason: x\n    description: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`;
    const ds = diagnostics(deep);
    expect(ds.length).toBeGreaterThan(0);
    expect(ds.every((d) => d.position.file === 'p.yaml')).toBe(true);
  });

  it('rejects a file over the size limit without parsing it', () => {
    const huge = `${HEAD}${'#'.repeat(9 * 1024 * 1024)}\n`;
    expect(where(diagnostics(huge))).toEqual([[1, 1, expect.stringContaining('file is larger than')]]);
  });

  it('loads a large but legal file (5,000 rules)', () => {
    const rules = Array.from(
      { length: 5000 },
      (_, i) =>
        `  - { id: r${i}, effect: allow, reason: x, target: { tools: [t${i}] }, when: 'action.args.n > ${i}' }`,
    );
    const r = loadPolicySet([{ path: 'big.yaml', content: `${HEAD}${rules.join('\n')}\n` }]);
    expect(r.ok && r.value.ruleCount).toBe(5000);
  });

  it('treats non-text content as a diagnostic', () => {
    const r = loadPolicySet([{ path: 'x.yaml', content: 42 as unknown as string }]);
    expect(!r.ok && r.error[0]!.message).toBe('file content is not text');
  });
});
