import { describe, expect, it } from 'vitest';
import { loadPolicySet } from './load.js';
import type { CompiledPolicySet, LintWarning } from './types.js';

const head = (id: string, extra = ''): string =>
  `apiVersion: portcullis.dev/v1\nkind: Policy\nmetadata: { id: ${id}, version: "1"${extra} }\nrules:\n`;

function load(...contents: string[]): CompiledPolicySet {
  const r = loadPolicySet(contents.map((content, i) => ({ path: `l${i}.yaml`, content })));
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

const brief = (ws: LintWarning[]): string[] =>
  ws.map((w) => `${w.kind} ${w.policy_id}/${w.rule_id ?? '-'} @${w.position.line}`);
const NOW = Date.UTC(2026, 5, 1);

describe('lint', () => {
  it('is quiet for a clean set', () => {
    const set = load(
      `${head('p')}  - { id: a, effect: allow, reason: x, target: { tools: [t] }, when: 'agent.id == "x"' }\n`,
    );
    expect(set.lint(NOW)).toEqual([]);
  });

  it('warns about rules without a target', () => {
    const set = load(
      `${head('p')}  - id: a\n    effect: allow\n    reason: x\n  - { id: b, effect: allow, reason: x, target: {}, when: 'agent.id == "b"' }\n`,
    );
    expect(brief(set.lint(NOW))).toEqual(['no_target p/a @5']);
  });

  it('warns when review_by has passed, pointing at the date', () => {
    const set = load(
      `${head('p', ', review_by: 2026-05-31')}  - { id: a, effect: allow, reason: x, target: { tools: [t] } }\n`,
    );
    expect(set.lint(Date.UTC(2026, 4, 31, 23, 59))).toEqual([]);
    const [w] = set.lint(NOW);
    expect(w).toEqual({
      kind: 'review_overdue',
      message: 'policy "p" was due for review by 2026-05-31',
      position: { file: 'l0.yaml', line: 3, column: 45 },
      policy_id: 'p',
    });
  });

  it('finds shadowed rules: same target and same condition (whitespace aside)', () => {
    const set = load(
      `${head('p')}` +
        "  - { id: a, effect: escalate, reason: x, target: { tools: [t, u] }, when: 'action.args.n > 1' }\n" +
        "  - { id: b, effect: escalate, reason: x, target: { tools: [u, t] }, when: 'action.args.n  >  1' }\n" +
        "  - { id: c, effect: allow, reason: x, target: { tools: [t, u] }, when: '(action.args.n > 1)' }\n" +
        "  - { id: d, effect: deny, reason: x, target: { tools: [t, u] }, when: 'action.args.n > 1' }\n" +
        "  - { id: e, effect: deny, reason: x, target: { tools: [t] }, when: 'action.args.n > 1' }\n",
    );
    const ws = set.lint(NOW);
    expect(brief(ws)).toEqual(['shadowed_rule p/b @6', 'shadowed_rule p/c @7', 'shadowed_rule p/d @8']);
    expect(ws[0]!.message).toContain('same effect');
    expect(ws[1]!.message).toContain('its effect allow is always overridden by escalate');
    expect(ws[2]!.message).toContain('always overrides escalate');
  });

  it('finds rules made unreachable by an unconditional deny with the same or a wider target', () => {
    const set = load(
      `${head('p')}` +
        "  - { id: allow-t, effect: allow, reason: x, target: { kinds: [tool_call], tools: [db.drop] }, when: 'true' }\n" +
        '  - { id: no-db, effect: deny, reason: x, target: { tools: ["db.*"] } }\n' +
        '  - { id: esc, effect: escalate, reason: x, target: { kinds: [tool_call], tools: [db.read, db.write] }, when: \'agent.id == "a"\' }\n' +
        "  - { id: other, effect: allow, reason: x, target: { tools: [files.read] }, when: 'false' }\n" +
        '  - { id: wider, effect: allow, reason: x, target: { tools: ["*"] } }\n',
      `${head('q')}  - { id: no-db-2, effect: deny, reason: x, target: { tools: ["db.*", db.x] } }\n`,
    );
    expect(brief(set.lint(NOW))).toEqual([
      'unreachable_rule p/allow-t @5',
      'unreachable_rule p/esc @7',
      'unreachable_rule p/other @8',
      'unreachable_rule q/no-db-2 @5',
    ]);
  });

  it('warns about a rule id used in two policies and about unknown input fields', () => {
    const set = load(
      `${head('p')}  - { id: a, effect: allow, reason: x, target: { tools: [t] }, when: 'agent.rolez.size() > 0 || has(action.tol) || context["regoin"] == "eu" || agent.roles.size() > 0' }\n`,
      `${head('q')}  - { id: a, effect: allow, reason: x, target: { tools: [u] } }\n`,
    );
    const ws = set.lint(NOW);
    expect(brief(ws)).toEqual([
      'unknown_field p/a @5',
      'unknown_field p/a @5',
      'unknown_field p/a @5',
      'duplicate_rule_id q/a @5',
    ]);
    expect(ws.map((w) => w.message)).toContain(
      'rule "a" reads agent.rolez, but agent has no field "rolez" (fields: id, roles, permissions, attributes, on_behalf_of)',
    );
  });
});
