import type { ErrorCode } from './errors.js';
import type { ScanCoverage } from '../ports/guard.js';

export type Effect = 'allow' | 'deny' | 'escalate';

/** Ordering used by the combiner: deny overrides escalate overrides allow. */
export const EFFECT_RANK: Record<Effect, number> = { allow: 0, escalate: 1, deny: 2 };

export interface ApproverRequirement {
  roles: string[];
  count: number;
  /** ISO 8601 duration or shorthand like "1h"; the approval store turns it into an expiry. */
  expires_in?: string;
}

export interface Obligations {
  /** Paths (like `action.args.account_number`) whose values must be redacted before use or logging. */
  redact: string[];
  /** Approvers an escalation needs; every matched escalate rule contributes. */
  approvals: ApproverRequirement[];
}

export interface MatchedRule {
  policy_id: string;
  rule_id: string;
  effect: Effect;
  reason: string;
}

export interface ExplainEntry {
  policy_id: string;
  rule_id: string;
  effect: Effect;
  condition: string;
  /** What the condition evaluated to: true, false, or an error message. */
  result: boolean | { error: string };
}

/** One pipeline step: which port implementation ran it, so nothing is skipped silently. */
export interface StepRecord {
  step: PipelineStep;
  port: string;
  status: 'ran' | 'skipped' | 'failed';
  detail?: string;
  duration_us: number;
}

export type PipelineStep =
  'authenticate' | 'guard_input' | 'enrich_context' | 'evaluate_policy' | 'approval' | 'respond' | 'audit';

/**
 * Why a decision came out as it did, as a stable code: a rule matched, nothing matched, a step
 * before policy decided (guardrail block, kill switch, approval denied), or an error code from
 * the registry (fail closed).
 */
export type DecisionCode =
  | 'rule_matched'
  | 'no_rule_matched'
  | 'guardrail_blocked'
  | 'kill_switch'
  | 'approval_denied'
  | 'rate_limited'
  | ErrorCode;

export interface DecisionV1 {
  version: 1;
  id: string;
  outcome: Effect;
  code: DecisionCode;
  reasons: string[];
  agent_id: string | null;
  matched: MatchedRule[];
  obligations: Obligations;
  policy_version: string;
  sequence: number;
  steps: StepRecord[];
  timings: { total_us: number; policy_us: number };
  explanation?: ExplainEntry[];
  /** Which guardrail scanner ran on which part of the input, and which were skipped and why. */
  coverage?: ScanCoverage[];
  approval?: { id: string; status: 'pending' | 'approved' | 'denied' | 'expired' };
  /** With code rate_limited: when the exhausted limit admits again (HTTP Retry-After). */
  retry_after_ms?: number;
}
