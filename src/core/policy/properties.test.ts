/**
 * Property tests of the combiner and the index: random rule sets, random actions, compared with
 * a brute-force reference model, under shuffling and with an added deny.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EFFECT_RANK, type Effect } from '../decision.js';
import { globMatches } from './glob.js';
import { loadPolicySet } from './load.js';
import { defaultPolicyInput } from './tests-parse.js';
import type { CompiledPolicySet, PolicyInput } from './types.js';

interface Cond {
  cel: string | null;
  /** Reference semantics: true, false or 'error'. */
  ref: (amount: number, roles: string[]) => boolean | 'error';
}

const CONDITIONS: Cond[] = [
  { cel: null, ref: () => true },
  { cel: 'action.args.amount > 100', ref: (a) => a > 100 },
  { cel: 'action.args.amount <= 50.5', ref: (a) => a <= 50.5 },
  { cel: '"admin" in agent.roles', ref: (_, r) => r.includes('admin') },
  { cel: 'size(agent.roles) > 1 || action.args.amount == 7', ref: (a, r) => r.length > 1 || a === 7 },
  { cel: 'action.args.missing > 1', ref: () => 'error' },
];
const TOOLS = ['pay.send', 'pay.refund', 'db.drop', 'db.', 'files.read'];
const PATTERNS = ['pay.send', 'pay.*', '*.drop', 'db.*', 'files.read', '*'];

interface GenRule {
  id: string;
  effect: Effect;
  tools: string[] | null;
  kinds: string[];
  cond: number;
}

const ruleArb = fc.record({
  effect: fc.constantFrom<Effect>('allow', 'deny', 'escalate'),
  tools: fc.option(fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 2 }), {
    nil: null,
  }),
  kinds: fc.constantFrom<string[]>([], ['tool_call'], ['mcp.*']),
  cond: fc.integer({ min: 0, max: CONDITIONS.length - 1 }),
});
const rulesArb = fc
  .array(ruleArb, { minLength: 1, maxLength: 12 })
  .map((rs) => rs.map((r, i): GenRule => ({ ...r, id: `r${i}` })));
const inputArb = fc.record({
  tool: fc.constantFrom(...TOOLS),
  kind: fc.constantFrom('tool_call', 'mcp.tools_call', 'llm.chat'),
  amount: fc.constantFrom(0, 7, 50, 50.5, 51, 100, 100.5, 20000),
  roles: fc.subarray(['admin', 'ops', 'viewer']),
});

function yaml(policyId: string, rules: GenRule[]): string {
  const lines = [
    'apiVersion: portcullis.dev/v1',
    'kind: Policy',
    `metadata: { id: ${policyId}, version: "1" }`,
    'rules:',
  ];
  for (const r of rules) {
    const target =
      r.tools === null && r.kinds.length === 0
        ? ''
        : `, target: { kinds: [${r.kinds.map((k) => `"${k}"`).join(', ')}]${r.tools === null ? '' : `, tools: [${r.tools.map((t) => `"${t}"`).join(', ')}]`} }`;
    const cel = CONDITIONS[r.cond]!.cel;
    lines.push(
      `  - { id: ${r.id}, effect: ${r.effect}, reason: x${target}${cel === null ? '' : `, when: '${cel}'`} }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function load(files: Array<[string, GenRule[]]>): CompiledPolicySet {
  const r = loadPolicySet(files.map(([id, rules]) => ({ path: `${id}.yaml`, content: yaml(id, rules) })));
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

function toInput(i: { tool: string; kind: string; amount: number; roles: string[] }): PolicyInput {
  const input = defaultPolicyInput();
  input.action = { ...input.action, kind: i.kind, tool: i.tool, args: { amount: i.amount } };
  input.agent = { ...input.agent, roles: i.roles };
  return input;
}

/** Brute force: every rule, linear scan, no index. */
function reference(
  rules: GenRule[],
  i: { tool: string; kind: string; amount: number; roles: string[] },
): { outcome: Effect; matched: string[] } {
  let best = -1;
  let error = false;
  const matched: string[] = [];
  for (const r of rules) {
    const kindOk = r.kinds.length === 0 || r.kinds.some((k) => globMatches(k, i.kind));
    const toolOk = r.tools === null || r.tools.some((t) => globMatches(t, i.tool));
    if (!kindOk || !toolOk) continue;
    const v = CONDITIONS[r.cond]!.ref(i.amount, i.roles);
    if (v === 'error') error = true;
    else if (v) {
      matched.push(r.id);
      best = Math.max(best, EFFECT_RANK[r.effect]);
    }
  }
  const outcome: Effect = error || best < 0 || best === 2 ? 'deny' : best === 1 ? 'escalate' : 'allow';
  return { outcome, matched };
}

const sorted = (xs: string[]): string[] => [...xs].sort();

describe('policy combination properties', () => {
  it('agrees with a brute-force reference (index selects exactly the matching rules)', () => {
    fc.assert(
      fc.property(rulesArb, fc.array(inputArb, { minLength: 1, maxLength: 5 }), (rules, inputs) => {
        const set = load([['p', rules]]);
        for (const i of inputs) {
          const ev = set.evaluate(toInput(i));
          const ref = reference(rules, i);
          expect(ev.outcome).toBe(ref.outcome);
          expect(ev.matched.map((m) => m.rule_id)).toEqual(ref.matched);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('does not depend on rule order or on how rules are split into policies', () => {
    fc.assert(
      fc.property(
        rulesArb.chain((rules) =>
          fc.tuple(
            fc.constant(rules),
            fc.shuffledSubarray(rules, { minLength: rules.length, maxLength: rules.length }),
          ),
        ),
        inputArb,
        fc.integer({ min: 0, max: 12 }),
        ([rules, shuffled], i, cut) => {
          const a = load([['p', rules]]).evaluate(toInput(i));
          const b = load([['p', shuffled]]).evaluate(toInput(i));
          const split: Array<[string, GenRule[]]> = [
            ['p', shuffled.slice(0, cut)],
            ['q', shuffled.slice(cut)],
          ];
          const c = load(split.filter(([, rs]) => rs.length > 0)).evaluate(toInput(i));
          for (const other of [b, c]) {
            expect(other.outcome).toBe(a.outcome);
            expect(other.code).toBe(a.code);
            expect(sorted(other.matched.map((m) => m.rule_id))).toEqual(
              sorted(a.matched.map((m) => m.rule_id)),
            );
            expect(sorted(other.obligations.redact)).toEqual(sorted(a.obligations.redact));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a matching deny always wins', () => {
    fc.assert(
      fc.property(rulesArb, inputArb, fc.integer({ min: 0, max: 12 }), (rules, i, at) => {
        const deny: GenRule = { id: 'the-deny', effect: 'deny', tools: [i.tool], kinds: [], cond: 0 };
        const withDeny = [...rules.slice(0, at), deny, ...rules.slice(at)];
        const ev = load([['p', withDeny]]).evaluate(toInput(i));
        expect(ev.outcome).toBe('deny');
        expect(ev.matched.map((m) => m.rule_id)).toContain('the-deny');
        expect(ev.obligations.approvals).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
