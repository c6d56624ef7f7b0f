import { describe, expect, it } from 'vitest';
import { compileCel, compileCondition, createCelEnvironment, unsafeRegex } from './cel.js';
import { loadPolicySet } from './load.js';
import type { PolicyDiagnostic } from './types.js';

const HEAD = 'apiVersion: portcullis.dev/v1\nkind: Policy\nmetadata: { id: p, version: "1" }\nrules:\n';

function compileErrors(rules: string): PolicyDiagnostic[] {
  const r = loadPolicySet([{ path: 'c.yaml', content: HEAD + rules }]);
  if (r.ok) throw new Error('expected a compile error');
  return r.error;
}

describe('condition compilation', () => {
  it('points a syntax error at the column inside a plain scalar', () => {
    const [d] = compileErrors(
      '  - id: r1\n    effect: allow\n    reason: x\n    when: action.args.amount >> 3\n',
    );
    // `    when: ` is 10 characters; the second `>` is character 21 of the condition.
    expect(d).toEqual({
      code: 'policy_compile_error',
      message:
        'rule "r1": condition does not compile: Unexpected token: GT (at character 21 of the condition)',
      position: { file: 'c.yaml', line: 8, column: 31 },
      policy_id: 'p',
      rule_id: 'r1',
    });
  });

  it('maps the error offset through quotes and block scalars', () => {
    const [quoted] = compileErrors(
      `  - id: r1\n    effect: allow\n    reason: x\n    when: 'agent.id == "a" &&'\n`,
    );
    expect(quoted!.position).toEqual({ file: 'c.yaml', line: 8, column: 30 });
    const [block] = compileErrors(
      '  - id: r1\n    effect: allow\n    reason: x\n    when: |\n      agent.id == "a" &&\n        action.kind == )\n',
    );
    expect(block!.position).toEqual({ file: 'c.yaml', line: 10, column: 24 });
    const [folded] = compileErrors(
      '  - id: r1\n    effect: allow\n    reason: x\n    when: >-\n      agent.id == "a" &&\n      action.kind = "x"\n',
    );
    expect(folded!.position.line).toBe(10);
    expect(folded!.message).toContain('does not compile');
  });

  it('rejects type errors, unknown variables and non-bool conditions at load', () => {
    const ds = compileErrors(
      [
        "  - { id: t1, effect: allow, reason: x, when: 'posture + 1 > 2' }",
        '  - { id: t2, effect: allow, reason: x, when: \'user.id == "a"\' }',
        "  - { id: t3, effect: allow, reason: x, when: '1 + 2' }",
        '  - { id: t4, effect: allow, reason: x, when: \'"yes"\' }',
      ].join('\n') + '\n',
    );
    expect(ds.map((d) => [d.rule_id, d.message])).toEqual([
      ['t1', expect.stringContaining('no such overload: string + int')],
      ['t2', expect.stringContaining('Unknown variable: user')],
      ['t3', expect.stringContaining('a condition must be a bool, but this expression is of type int')],
      ['t4', expect.stringContaining('of type string')],
    ]);
  });

  it('rejects empty, huge and deeply nested conditions with diagnostics', () => {
    const long = `'${Array.from({ length: 3000 }, (_, i) => `action.args.a${i} == 1`).join(' && ')}'`;
    const nested = `'${'('.repeat(500)}true${')'.repeat(500)}'`;
    const chain = `'${Array.from({ length: 3000 }, () => '1').join(' + ')} > 0'`;
    const ds = compileErrors(
      [
        `  - { id: e1, effect: allow, reason: x, when: "" }`,
        `  - { id: e2, effect: allow, reason: x, when: ${long} }`,
        `  - { id: e3, effect: allow, reason: x, when: ${nested} }`,
        `  - { id: e4, effect: allow, reason: x, when: ${chain} }`,
      ].join('\n') + '\n',
    );
    expect(ds.map((d) => [d.rule_id, d.code])).toEqual([
      ['e1', 'policy_parse_error'],
      ['e2', 'policy_compile_error'],
      ['e3', 'policy_compile_error'],
      ['e4', 'policy_compile_error'],
    ]);
    expect(ds[1]!.message).toContain('longer than 16384 characters');
    expect(ds[2]!.message).toMatch(/maxDepth|nested/);
  });

  it('accepts dyn-typed conditions and checks the bool at run time', () => {
    const r = compileCondition('action.args.flag');
    expect(r.ok && r.value.type).toBe('dyn');
  });

  it('only allows safe, literal regular expressions in matches()', () => {
    expect(compileCondition('action.tool.matches("^payments\\\\.[a-z]+$")').ok).toBe(true);
    const fromInput = compileCondition('action.tool.matches(action.args.pattern)');
    expect(!fromInput.ok && fromInput.error.message).toBe('matches() needs a string literal as its pattern');
    expect(!fromInput.ok && fromInput.error.offset).toBe(20);
    expect(compileCondition('matches(action.tool, "(a+)+$")').ok).toBe(false);
    expect(unsafeRegex('(a|b)\\1')).toMatch(/backreferences/);
    expect(unsafeRegex('a(?=b)')).toMatch(/lookahead/);
    expect(unsafeRegex('(x+)*y')).toMatch(/nested quantifiers/);
    expect(unsafeRegex('([')).toMatch(/invalid regular expression/);
    expect(unsafeRegex('^[a-z]+@[a-z]+\\.com$')).toBeNull();
  });

  it('never throws on hostile input to the CEL entry point', () => {
    const env = createCelEnvironment({});
    for (const text of [
      '',
      ')',
      '"unterminated',
      '\u0000',
      'a.b.c.'.repeat(5000),
      '[[[[[[[[[[[[',
      42 as unknown as string,
    ]) {
      const r = compileCel(env, text);
      expect(r.ok).toBe(false);
    }
  });
});
