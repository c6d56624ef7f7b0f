import type { ApproverRequirement, Effect, ExplainEntry, MatchedRule, Obligations } from '../decision.js';
import type { JsonObject, JsonValue } from '../json.js';
import type { CompiledLimit } from '../limits/compile.js';

/** One policy source file as read from disk (the loader does the I/O). */
export interface PolicyFile {
  path: string;
  content: string;
}

export interface PolicyMetadata {
  id: string;
  version: string;
  owner?: string;
  description?: string;
  /** YYYY-MM-DD; lint warns once it has passed. */
  review_by?: string;
  /** Control references such as "NIST-CSF PR.AA-05". */
  controls: string[];
}

export interface RuleTarget {
  /** Action kinds, globs allowed (`mcp.*`). Empty means any kind. */
  kinds: string[];
  /** Tool names, globs allowed (`payments.*`). Empty means any tool. */
  tools: string[];
}

export interface RuleSource {
  id: string;
  description?: string;
  /** null when the rule has no target section at all (lint warns: it applies to every action). */
  target: RuleTarget | null;
  /** CEL; absent means "always". */
  when?: string;
  effect: Effect;
  reason: string;
  obligations: { redact: string[]; approvals: ApproverRequirement[] };
}

/** A position in a source file, 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

export interface PolicyDiagnostic {
  code: 'policy_parse_error' | 'policy_compile_error';
  message: string;
  position: SourcePosition;
  policy_id?: string;
  rule_id?: string;
  /** Set for problems in a `limits:` entry. */
  limit_id?: string;
}

export interface LintWarning {
  kind:
    | 'shadowed_rule'
    | 'unreachable_rule'
    | 'no_target'
    | 'review_overdue'
    | 'duplicate_rule_id'
    /** A condition reads `agent.<x>` or `action.<x>` where <x> is not a field of PolicyInput. */
    | 'unknown_field'
    /** A condition reads `usage.<id>` where no policy of the set declares a limit <id>. */
    | 'unknown_limit';
  message: string;
  position: SourcePosition;
  policy_id: string;
  rule_id?: string;
}

/**
 * The one documented input that CEL conditions see. JSON numbers are doubles to CEL, so that
 * `action.args.amount > 10000` works for 20000 and 20000.5 alike.
 */
export interface PolicyInput {
  agent: {
    id: string;
    roles: string[];
    permissions: string[];
    attributes: JsonObject;
    on_behalf_of: string | null;
  };
  action: { kind: string; tool: string; server: string; args: JsonObject; prompt: string };
  context: JsonObject;
  findings: JsonObject;
  risk: JsonObject;
  usage: JsonObject;
  posture: string;
  /** Milliseconds since the epoch; CEL sees a google.protobuf.Timestamp. */
  now: number;
}

export interface PolicyEvaluation {
  outcome: Effect;
  code: 'rule_matched' | 'no_rule_matched' | 'policy_eval_error';
  matched: MatchedRule[];
  /** Rules whose condition errored; each one counts as a deny. */
  errors: Array<{ policy_id: string; rule_id: string; message: string }>;
  obligations: Obligations;
  /** How many rules the index selected for this action. */
  candidates: number;
  explanation?: ExplainEntry[];
}

/** One rule of a loaded set, as listed for coverage reports and tooling. */
export interface RuleSummary {
  policy_id: string;
  rule_id: string;
  effect: Effect;
  reason: string;
  /** The CEL condition as written, or undefined when the rule has none ("always"). */
  when?: string;
  position: SourcePosition;
}

export interface CompiledPolicySet {
  /** "sha256:<hex>" over the files' paths and contents. */
  readonly version: string;
  readonly policies: readonly PolicyMetadata[];
  readonly ruleCount: number;
  /** Every rule in evaluation order (policy id, then file order). */
  readonly rules: readonly RuleSummary[];
  /**
   * The `limits:` of every policy, compiled (key and amount CEL included), in evaluation order
   * (policy id, then file order). Ids are unique across the set: they name `usage.<id>`.
   */
  readonly limits: readonly CompiledLimit[];
  evaluate(input: PolicyInput, options?: { explain?: boolean }): PolicyEvaluation;
  lint(nowMs: number): LintWarning[];
}

export type JsonLike = JsonValue;

/** Expected result of one policy test case; omitted fields are not checked. */
export interface PolicyTestExpectation {
  outcome: Effect;
  /** Exactly this set of matched rules (order-insensitive): `rule-id` or `policy-id/rule-id`. */
  matched?: string[];
  code?: PolicyEvaluation['code'];
  /** Exactly this set of redact paths in the obligations (order-insensitive). */
  redact?: string[];
  /** Total number of approvers the escalation requires (sum of `count` over approvals). */
  approvals?: number;
}

/** One case from a policy test file (`tests:` list), input already completed with defaults. */
export interface PolicyTestCase {
  name: string;
  position: SourcePosition;
  input: PolicyInput;
  expect: PolicyTestExpectation;
}

export interface PolicyTestResult {
  name: string;
  position: SourcePosition;
  passed: boolean;
  /** What the engine decided. Matched rules are written `policy-id/rule-id`. */
  actual: { outcome: Effect; code: PolicyEvaluation['code']; matched: string[]; errors: string[] };
  /** One human-readable line per expectation that did not hold; empty when passed. */
  failures: string[];
}

export interface RuleCoverage {
  policy_id: string;
  rule_id: string;
  position: SourcePosition;
  /** How many test cases matched this rule. */
  hits: number;
}

export interface PolicyTestReport {
  total: number;
  passed: number;
  failed: number;
  results: PolicyTestResult[];
  coverage: { rules: RuleCoverage[]; covered: number; total: number; percent: number };
}
