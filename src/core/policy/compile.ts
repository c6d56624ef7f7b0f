/**
 * Parsed policies → compiled rules and limits: every condition (and every limit's key and amount)
 * is parsed and type-checked once, here, and never again per request. Rules get their global
 * evaluation order (policy id, then file order).
 */
import type { Effect, MatchedRule, Obligations } from '../decision.js';
import type { CompiledLimit } from '../limits/compile.js';
import { compileCondition, type CelProgram } from './cel.js';
import { globShape, shapeMatches, type GlobShape } from './glob.js';
import { compilePolicyLimits } from './limits.js';
import type { ParsedPolicy } from './parse.js';
import type { PolicyMetadata, RuleTarget, SourcePosition } from './types.js';
import type { Diagnostics } from './yaml-source.js';

export interface CompiledRule {
  /** Position in evaluation order: policies by id, rules in file order. */
  readonly order: number;
  readonly policyId: string;
  readonly id: string;
  readonly effect: Effect;
  readonly reason: string;
  readonly target: RuleTarget | null;
  readonly when: string | undefined;
  /** null when the rule has no condition (it always applies to its target). */
  readonly program: CelProgram | null;
  readonly obligations: Obligations;
  readonly position: SourcePosition;
  /** The frozen MatchedRule reported when this rule matches (built once, shared). */
  readonly match: Readonly<MatchedRule>;
  readonly kindShapes: readonly GlobShape[];
  readonly toolShapes: readonly GlobShape[];
}

export interface CompiledPolicies {
  policies: PolicyMetadata[];
  /** Where each policy's review_by date is written (for lint), by policy id. */
  reviewPositions: Map<string, SourcePosition>;
  rules: CompiledRule[];
  /** Every policy's `limits:`, compiled, in the same order as the rules (policy id, file order). */
  limits: CompiledLimit[];
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function compilePolicies(parsed: readonly ParsedPolicy[], diags: Diagnostics): CompiledPolicies {
  const first = new Map<string, ParsedPolicy>();
  for (const p of parsed) {
    const earlier = first.get(p.metadata.id);
    if (earlier === undefined) {
      first.set(p.metadata.id, p);
      continue;
    }
    const at = earlier.position;
    diags.add(
      'policy_parse_error',
      `duplicate policy id "${p.metadata.id}" (first defined at ${at.file}:${at.line}:${at.column})`,
      p.position,
      {
        policy_id: p.metadata.id,
      },
    );
  }
  const ordered = [...first.values()].sort((a, b) => byCodeUnits(a.metadata.id, b.metadata.id));
  const rules: CompiledRule[] = [];
  // Identical conditions share one compiled program: less work at load, less memory touched
  // per decision.
  const programs = new Map<string, ReturnType<typeof compileCondition>>();
  for (const policy of ordered) {
    for (const rule of policy.rules) {
      let program: CelProgram | null = null;
      if (rule.when !== undefined) {
        let compiled = programs.get(rule.when);
        if (compiled === undefined) {
          compiled = compileCondition(rule.when);
          programs.set(rule.when, compiled);
        }
        if (!compiled.ok) {
          const { message, offset } = compiled.error;
          const where = offset === null ? '' : ` (at character ${offset + 1} of the condition)`;
          diags.add(
            'policy_compile_error',
            `rule "${rule.id}": condition does not compile: ${message}${where}`,
            rule.conditionPosition(offset ?? 0),
            {
              policy_id: policy.metadata.id,
              rule_id: rule.id,
            },
          );
          continue;
        }
        program = compiled.value;
      }
      const match: MatchedRule = Object.freeze({
        policy_id: policy.metadata.id,
        rule_id: rule.id,
        effect: rule.effect,
        reason: rule.reason,
      });
      rules.push({
        order: rules.length,
        policyId: policy.metadata.id,
        id: rule.id,
        effect: rule.effect,
        reason: rule.reason,
        target: rule.target,
        when: rule.when,
        program,
        obligations: rule.obligations,
        position: rule.position,
        match,
        kindShapes: (rule.target?.kinds ?? []).map(globShape),
        toolShapes: (rule.target?.tools ?? []).map(globShape),
      });
    }
  }
  return {
    policies: ordered.map((p) => p.metadata),
    reviewPositions: new Map(ordered.map((p) => [p.metadata.id, p.reviewPosition])),
    rules,
    limits: compilePolicyLimits(ordered, parsed, diags),
  };
}

/** Does the rule's target select this action? Empty lists mean "any". */
export function targetMatches(rule: CompiledRule, kind: string, tool: string): boolean {
  return (
    (rule.kindShapes.length === 0 || rule.kindShapes.some((s) => shapeMatches(s, kind))) &&
    (rule.toolShapes.length === 0 || rule.toolShapes.some((s) => shapeMatches(s, tool)))
  );
}
