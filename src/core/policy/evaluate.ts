/**
 * Evaluation and combination. Deny overrides escalate overrides allow; nothing matched is a deny
 * (`no_rule_matched`); a condition that throws or yields a non-bool counts as a deny
 * (`policy_eval_error`). Rules are visited in evaluation order, so the matched list, the errors
 * and the obligations come out in the same order for the same input.
 */
import {
  EFFECT_RANK,
  type ApproverRequirement,
  type Effect,
  type ExplainEntry,
  type MatchedRule,
} from '../decision.js';
import type { JsonObject, JsonValue } from '../json.js';
import { toCelError, walkAst, type CelProgram } from './cel.js';
import type { CompiledRule } from './compile.js';
import type { RuleIndex } from './index-rules.js';
import type { PolicyEvaluation, PolicyInput } from './types.js';

/**
 * Context fields every condition may read without `has()`: when the caller did not declare one,
 * a condition sees the empty value instead of failing with "no such key".
 */
export const CONTEXT_DEFAULTS: Readonly<JsonObject> = Object.freeze({
  environment: '',
  region: '',
  purpose: '',
  data_classification: '',
  lineage: Object.freeze([]) as unknown as JsonValue[],
  attributes: Object.freeze({}) as JsonObject,
});
const CONTEXT_KEYS = Object.keys(CONTEXT_DEFAULTS);

type Outcome = boolean | { error: string };

/**
 * One candidate as the hot loop needs it. The slots of one (kind, tool) selection are allocated
 * together when the selection is first made, so a decision walks memory that sits side by side
 * instead of visiting rule objects scattered over a large set.
 */
interface Slot {
  readonly rule: CompiledRule;
  readonly run: CelProgram['run'] | null;
  readonly rank: number;
  readonly obliged: boolean;
}

export function prepareSlots(selected: readonly CompiledRule[]): readonly Slot[] {
  return selected.map((rule) => ({
    rule,
    run: rule.program === null ? null : rule.program.run,
    rank: EFFECT_RANK[rule.effect],
    obliged: rule.obligations.redact.length > 0 || rule.obligations.approvals.length > 0,
  }));
}

/** Stands in for `now` when no condition reads it (never observed by a condition). */
const EPOCH = new Date(0);

function readsVariable(program: CelProgram, name: string): boolean {
  let found = false;
  walkAst(program.ast, (node) => {
    if (node.op === 'id' && node.args === name) found = true;
  });
  return found;
}

export class RuleEvaluator {
  private lastNowMs = Number.NaN;
  private lastNow = new Date(0);

  /** Whether any condition reads `now`; if none does, no Date is built per decision. */
  private readonly usesNow: boolean;

  constructor(
    private readonly index: RuleIndex<readonly Slot[]>,
    rules: readonly CompiledRule[],
  ) {
    this.usesNow = rules.some((r) => r.program !== null && readsVariable(r.program, 'now'));
  }

  evaluate(input: PolicyInput, explain: boolean): PolicyEvaluation {
    const action = input.action as Partial<PolicyInput['action']> | undefined;
    const kind = typeof action?.kind === 'string' ? action.kind : '';
    const tool = typeof action?.tool === 'string' ? action.tool : '';
    const candidates = this.index.select(kind, tool);
    const activation = candidates.length === 0 ? null : this.activation(input);

    const matched: MatchedRule[] = [];
    const errors: PolicyEvaluation['errors'] = [];
    const explanation: ExplainEntry[] | null = explain ? [] : null;
    let best = -1;
    let obliged = false;
    for (const slot of candidates) {
      const rule = slot.rule;
      const result: Outcome = slot.run === null ? true : runCondition(slot.run, activation!);
      if (explanation !== null) {
        explanation.push({
          policy_id: rule.policyId,
          rule_id: rule.id,
          effect: rule.effect,
          condition: rule.when ?? 'true',
          result,
        });
      }
      if (result === true) {
        matched.push(rule.match);
        if (slot.rank > best) best = slot.rank;
        obliged ||= slot.obliged;
      } else if (result !== false) {
        errors.push({ policy_id: rule.policyId, rule_id: rule.id, message: result.error });
      }
    }

    let outcome: Effect;
    let code: PolicyEvaluation['code'];
    if (errors.length > 0) {
      outcome = 'deny';
      code = 'policy_eval_error';
    } else if (best < 0) {
      outcome = 'deny';
      code = 'no_rule_matched';
    } else {
      outcome = best === EFFECT_RANK.deny ? 'deny' : best === EFFECT_RANK.escalate ? 'escalate' : 'allow';
      code = 'rule_matched';
    }
    const result: PolicyEvaluation = {
      outcome,
      code,
      matched,
      errors,
      obligations: obliged ? collectObligations(candidates, matched, outcome) : { redact: [], approvals: [] },
      candidates: candidates.length,
    };
    if (explanation !== null) result.explanation = explanation;
    return result;
  }

  private activation(input: PolicyInput): Record<string, unknown> {
    return {
      agent: input.agent,
      action: input.action,
      context: withContextDefaults(input.context),
      findings: input.findings,
      risk: input.risk,
      usage: input.usage,
      posture: input.posture,
      now: this.usesNow ? this.timestamp(input.now) : EPOCH,
    };
  }

  /** `now` as a CEL timestamp; consecutive decisions in the same millisecond share one Date. */
  private timestamp(ms: number): Date {
    if (ms !== this.lastNowMs) {
      this.lastNowMs = ms;
      this.lastNow = new Date(ms);
    }
    return this.lastNow;
  }
}

export function withContextDefaults(context: JsonObject | null | undefined): JsonObject {
  if (context === null || typeof context !== 'object') return { ...CONTEXT_DEFAULTS };
  for (const key of CONTEXT_KEYS) {
    if (!Object.prototype.hasOwnProperty.call(context, key)) return { ...CONTEXT_DEFAULTS, ...context };
  }
  return context;
}

function runCondition(run: CelProgram['run'], activation: Record<string, unknown>): Outcome {
  try {
    const value = run(activation);
    if (typeof value === 'boolean') return value;
    return { error: `condition evaluated to ${describeValue(value)}, not a bool` };
  } catch (e) {
    return { error: toCelError(e).message };
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return `the int ${v}`;
  if (typeof v === 'number') return `the double ${v}`;
  if (typeof v === 'string') return 'a string';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a timestamp';
  return `a value of type ${typeof v}`;
}

/** Redact paths of every matched rule (first-seen order); approvers of matched escalate rules. */
function collectObligations(
  candidates: readonly Slot[],
  matched: readonly MatchedRule[],
  outcome: Effect,
): PolicyEvaluation['obligations'] {
  const redact: string[] = [];
  const approvals: ApproverRequirement[] = [];
  if (matched.length === 0) return { redact, approvals };
  let m = 0;
  for (const { rule } of candidates) {
    if (m >= matched.length) break;
    if (rule.match !== matched[m]) continue;
    m++;
    for (const path of rule.obligations.redact) if (!redact.includes(path)) redact.push(path);
    if (outcome === 'escalate' && rule.effect === 'escalate') {
      for (const a of rule.obligations.approvals) approvals.push({ ...a, roles: [...a.roles] });
    }
  }
  return { redact, approvals };
}
