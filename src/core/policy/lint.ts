/**
 * Lint: warnings about a policy set that loads but probably does not do what its author meant.
 * Each warning names a position. At most one shadowed/unreachable warning per rule.
 */
import { EFFECT_RANK } from '../decision.js';
import { canonicalCel, walkAst } from './cel.js';
import type { CompiledPolicies, CompiledRule } from './compile.js';
import { listCovers } from './glob.js';
import type { LintWarning } from './types.js';

/** Fields of the documented input that conditions may read (types.ts PolicyInput, action.ts ContextV1). */
export const KNOWN_FIELDS: Readonly<Record<string, readonly string[]>> = {
  agent: ['id', 'roles', 'permissions', 'attributes', 'on_behalf_of'],
  action: ['kind', 'tool', 'server', 'args', 'prompt'],
  context: [
    'environment',
    'region',
    'purpose',
    'data_classification',
    'lineage',
    'confidence',
    'session_id',
    'attributes',
  ],
};

const DAY_MS = 86_400_000;

export function lintRules(compiled: CompiledPolicies, nowMs: number): LintWarning[] {
  const out: LintWarning[] = [];
  for (const p of compiled.policies) {
    if (p.review_by === undefined) continue;
    const due = Date.parse(`${p.review_by}T00:00:00Z`) + DAY_MS;
    if (nowMs >= due) {
      out.push({
        kind: 'review_overdue',
        message: `policy "${p.id}" was due for review by ${p.review_by}`,
        position: compiled.reviewPositions.get(p.id)!,
        policy_id: p.id,
      });
    }
  }
  const rules = compiled.rules;
  const warn = (rule: CompiledRule, kind: LintWarning['kind'], message: string): void => {
    out.push({ kind, message, position: rule.position, policy_id: rule.policyId, rule_id: rule.id });
  };

  const limitIds = new Set(compiled.limits.map((l) => l.spec.id));
  const firstWithId = new Map<string, CompiledRule>();
  for (const rule of rules) {
    if (rule.target === null) {
      warn(
        rule,
        'no_target',
        `rule "${rule.id}" has no target, so it is evaluated for every action; add target.kinds or target.tools`,
      );
    }
    const other = firstWithId.get(rule.id);
    if (other === undefined) firstWithId.set(rule.id, rule);
    else if (other.policyId !== rule.policyId) {
      warn(
        rule,
        'duplicate_rule_id',
        `rule id "${rule.id}" is also used in policy "${other.policyId}"; tests that name it without a policy id are ambiguous`,
      );
    }
    for (const problem of unknownFields(rule, limitIds)) warn(rule, problem.kind, problem.message);
  }

  const reported = new Set<CompiledRule>();
  lintShadowed(rules, reported, warn);
  lintUnreachable(rules, reported, warn);
  return out;
}

type Warn = (rule: CompiledRule, kind: LintWarning['kind'], message: string) => void;

function where(rule: CompiledRule): string {
  return `"${rule.policyId}/${rule.id}" (${rule.position.file}:${rule.position.line})`;
}

function targetKey(rule: CompiledRule): string {
  const norm = (xs: readonly string[] | undefined): string => [...new Set(xs ?? [])].sort().join(',');
  return `${norm(rule.target?.kinds)}|${norm(rule.target?.tools)}`;
}

function conditionKey(rule: CompiledRule): string {
  return rule.program === null || isLiteral(rule, true) ? 'true' : canonicalCel(rule.program);
}

/** Same target and same condition as an earlier rule: the later rule never changes a decision. */
function lintShadowed(rules: readonly CompiledRule[], reported: Set<CompiledRule>, warn: Warn): void {
  const seen = new Map<string, CompiledRule>();
  for (const rule of rules) {
    const key = `${targetKey(rule)}\u0000${conditionKey(rule)}`;
    const earlier = seen.get(key);
    if (earlier === undefined) {
      seen.set(key, rule);
      continue;
    }
    reported.add(rule);
    const same = `has the same target and condition as ${where(earlier)}`;
    if (earlier.effect === rule.effect) {
      warn(
        rule,
        'shadowed_rule',
        `rule "${rule.id}" ${same} and the same effect, so it never changes a decision`,
      );
    } else if (EFFECT_RANK[earlier.effect] > EFFECT_RANK[rule.effect]) {
      warn(
        rule,
        'shadowed_rule',
        `rule "${rule.id}" ${same}; its effect ${rule.effect} is always overridden by ${earlier.effect}`,
      );
    } else {
      warn(
        rule,
        'shadowed_rule',
        `rule "${rule.id}" ${same}; its effect ${rule.effect} always overrides ${earlier.effect}, so the earlier rule never decides`,
      );
    }
  }
}

/**
 * A rule whose target is covered by an unconditional deny can never change a decision (deny
 * overrides everything); a rule whose condition is the literal `false` never applies.
 */
function lintUnreachable(rules: readonly CompiledRule[], reported: Set<CompiledRule>, warn: Warn): void {
  const denies = rules.filter((r) => r.effect === 'deny' && (r.program === null || isLiteral(r, true)));
  for (const rule of rules) {
    if (reported.has(rule)) continue;
    if (isLiteral(rule, false)) {
      reported.add(rule);
      warn(rule, 'unreachable_rule', `rule "${rule.id}" has the condition false, so it never applies`);
      continue;
    }
    for (const deny of denies) {
      if (deny === rule || !covers(deny, rule)) continue;
      const mutual = rule.effect === 'deny' && denies.includes(rule) && covers(rule, deny);
      if (mutual && deny.order > rule.order) continue; // report only the later of two equivalent denies
      reported.add(rule);
      warn(
        rule,
        'unreachable_rule',
        `rule "${rule.id}" can never change a decision: ${where(deny)} denies every action it targets, unconditionally`,
      );
      break;
    }
  }
}

function covers(outer: CompiledRule, inner: CompiledRule): boolean {
  return (
    listCovers(outer.target?.kinds ?? [], inner.target?.kinds ?? []) &&
    listCovers(outer.target?.tools ?? [], inner.target?.tools ?? [])
  );
}

function isLiteral(rule: CompiledRule, value: boolean): boolean {
  const ast = rule.program?.ast;
  return ast !== undefined && ast.op === 'value' && ast.args === value;
}

/**
 * `agent.rolez`, `action["tol"]`, `context.regoin`: reads of fields the input never has; and
 * `usage.<id>` where no policy of the set declares a limit <id> (the fact can never be there).
 */
function unknownFields(
  rule: CompiledRule,
  limitIds: ReadonlySet<string>,
): Array<{ kind: 'unknown_field' | 'unknown_limit'; message: string }> {
  if (rule.program === null) return [];
  const problems: Array<{ kind: 'unknown_field' | 'unknown_limit'; message: string }> = [];
  const add = (kind: 'unknown_field' | 'unknown_limit', message: string): void => {
    if (!problems.some((p) => p.message === message)) problems.push({ kind, message });
  };
  walkAst(rule.program.ast, (node) => {
    let field: unknown;
    let base: unknown;
    if (node.op === '.' || node.op === '.?') [base, field] = node.args;
    else if ((node.op === '[]' || node.op === '[?]') && node.args[1].op === 'value')
      [base, field] = [node.args[0], node.args[1].args];
    else return;
    const b = base as { op?: string; args?: unknown };
    if (b.op !== 'id' || typeof b.args !== 'string' || typeof field !== 'string') return;
    if (b.args === 'usage') {
      if (limitIds.has(field)) return;
      const declared =
        limitIds.size === 0 ? 'no limits are declared' : `declared: ${[...limitIds].join(', ')}`;
      const read = /^[A-Za-z_][A-Za-z0-9_]*$/.test(field)
        ? `usage.${field}`
        : `usage[${JSON.stringify(field)}]`;
      add(
        'unknown_limit',
        `rule "${rule.id}" reads ${read}, but no policy declares a limit "${field}" (${declared})`,
      );
      return;
    }
    const known = Object.prototype.hasOwnProperty.call(KNOWN_FIELDS, b.args)
      ? KNOWN_FIELDS[b.args]
      : undefined;
    if (known === undefined || known.includes(field)) return;
    add(
      'unknown_field',
      `rule "${rule.id}" reads ${b.args}.${field}, but ${b.args} has no field "${field}" (fields: ${known.join(', ')})`,
    );
  });
  return problems;
}
