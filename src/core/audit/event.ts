import type { ActionV1, Adapter, ContextV1, ImpactV1 } from '../action.js';
import type { DecisionV1, Effect, ExplainEntry, MatchedRule, StepRecord } from '../decision.js';
import type { JsonObject } from '../json.js';
import type { ScanCoverage } from '../../ports/guard.js';

/**
 * One ledger entry. Six layers (inputs, policy, decision, action, outcome, impact) plus time,
 * instance, sequence and a deterministic id. Once released, the canonical form of a V1 event
 * never changes meaning: add a V2 instead.
 */
export type AuditEventType =
  | 'decision'
  | 'outcome'
  | 'policy_reload'
  | 'config_change'
  | 'admin_action'
  | 'key_rotation'
  | 'approval'
  /** MCP gateway changes: upstream connected or restarted, tool definition held back. */
  | 'mcp';

export interface AuditEventV1 {
  v: 1;
  type: AuditEventType;
  /** Deterministic: derived from the event's content (see computeEventId). */
  id: string;
  /** RFC 3339, UTC, millisecond precision. */
  time: string;
  instance: string;
  sequence: number;
  /** The decision this event belongs to (decision and outcome events). */
  decision_id?: string;
  inputs: JsonObject;
  policy: JsonObject;
  decision: JsonObject;
  action: JsonObject;
  outcome: JsonObject;
  impact: JsonObject;
}

/** The fields a pipeline hands to the ledger for one decision. Values are already redacted. */
export interface DecisionEventParts {
  time: number;
  instance: string;
  decision: DecisionV1;
  action: ActionV1;
  context: ContextV1 | undefined;
  findings: JsonObject;
  adapter: Adapter;
  agent: { id: string | null; version?: string; on_behalf_of?: string };
  impact: ImpactV1 | undefined;
  explanation: ExplainEntry[] | undefined;
  matched: MatchedRule[];
  steps: StepRecord[];
  outcome: Effect;
  /** Which guardrail scanner ran on which part of the input (recorded in the inputs layer). */
  coverage?: ScanCoverage[];
  /** The model an LLM action targets, when there is one (recorded in the action layer). */
  model?: string;
  /** Time the gateway spent deciding, in microseconds; defaults to the sum of `steps` durations. */
  latency_us?: number;
}

/** An executed action's result, reported against its decision (POST /v1/decisions/{id}/outcome). */
export interface OutcomeEventParts {
  time: number;
  instance: string;
  decision_id: string;
  /** What happened when the action ran, e.g. success, error, timeout, not_executed. */
  status: string;
  error?: string;
  latency_ms?: number;
  adapter: Adapter;
  agent?: { id: string | null; version?: string };
  /** Reported (measured) impact: amount moved, records touched, cost. */
  impact?: ImpactV1;
  /** Output guardrail findings: types and spans only. */
  findings?: JsonObject;
}

/** Events that change what the gateway does (everything but decisions and outcomes). */
export type SystemEventType = Exclude<AuditEventType, 'decision' | 'outcome'>;

export interface SystemEventParts {
  time: number;
  instance: string;
  /** Who caused it: an admin identity, "sighup", "file_watch", "startup"... */
  actor?: string;
  /** Links approval events to their decision. */
  decision_id?: string;
  /** What changed; for key_rotation `{ previous_key, new_key }` as verifier keys. */
  details: JsonObject;
  /** Defaults to "recorded". */
  status?: string;
}

export { buildDecisionEvent, buildOutcomeEvent, buildSystemEvent } from './event-build.js';
export { computeEventId } from './event-encode.js';
