/**
 * loadPolicySet: files → a compiled, indexed, immutable policy set, or every diagnostic. A set
 * with any diagnostic is never returned, so a broken policy set cannot go live.
 */
import type { CompiledLimit } from '../limits/compile.js';
import { err, ok, type Result } from '../result.js';
import { compilePolicies, type CompiledPolicies, type CompiledRule } from './compile.js';
import { prepareSlots, RuleEvaluator } from './evaluate.js';
import { RuleIndex } from './index-rules.js';
import { lintRules } from './lint.js';
import { parsePolicies } from './parse.js';
import type {
  CompiledPolicySet,
  LintWarning,
  PolicyDiagnostic,
  PolicyEvaluation,
  PolicyFile,
  PolicyInput,
  PolicyMetadata,
  RuleSummary,
} from './types.js';
import { policySetVersion } from './version.js';
import { Diagnostics } from './yaml-source.js';

export function loadPolicySet(files: readonly PolicyFile[]): Result<CompiledPolicySet, PolicyDiagnostic[]> {
  const diags = new Diagnostics();
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path))
      diags.add('policy_parse_error', 'the same file path is given twice', {
        file: f.path,
        line: 1,
        column: 1,
      });
    seen.add(f.path);
  }
  const parsed = parsePolicies(files, diags);
  const compiled = compilePolicies(parsed, diags);
  if (diags.list.length > 0) return err(sortDiagnostics(diags.list, files));
  if (files.length === 0) {
    return err([
      {
        code: 'policy_parse_error',
        message: 'no policy files were given',
        position: { file: '', line: 1, column: 1 },
      },
    ]);
  }
  return ok(new PolicySet(policySetVersion(files), compiled));
}

class PolicySet implements CompiledPolicySet {
  readonly policies: readonly PolicyMetadata[];
  readonly ruleCount: number;
  readonly rules: readonly RuleSummary[];
  readonly limits: readonly CompiledLimit[];
  private readonly evaluator: RuleEvaluator;

  constructor(
    readonly version: string,
    private readonly compiled: CompiledPolicies,
  ) {
    this.policies = compiled.policies;
    this.ruleCount = compiled.rules.length;
    this.rules = compiled.rules.map(summarize);
    this.limits = Object.freeze([...compiled.limits]);
    this.evaluator = new RuleEvaluator(new RuleIndex(compiled.rules, prepareSlots), compiled.rules);
  }

  evaluate(input: PolicyInput, options?: { explain?: boolean }): PolicyEvaluation {
    return this.evaluator.evaluate(input, options?.explain === true);
  }

  lint(nowMs: number): LintWarning[] {
    return lintRules(this.compiled, nowMs);
  }
}

function summarize(rule: CompiledRule): RuleSummary {
  const s: RuleSummary = {
    policy_id: rule.policyId,
    rule_id: rule.id,
    effect: rule.effect,
    reason: rule.reason,
    position: rule.position,
  };
  if (rule.when !== undefined) s.when = rule.when;
  return s;
}

/** File order as given, then line and column: the order an author reads them in. */
export function sortDiagnostics(list: PolicyDiagnostic[], files: readonly PolicyFile[]): PolicyDiagnostic[] {
  const rank = new Map(files.map((f, i) => [f.path, i]));
  const fileRank = (d: PolicyDiagnostic): number => rank.get(d.position.file) ?? files.length;
  return [...list].sort(
    (a, b) =>
      fileRank(a) - fileRank(b) || a.position.line - b.position.line || a.position.column - b.position.column,
  );
}
