import type { ActionV1, Adapter, ContextV1, ImpactV1 } from '../action.js';
import type { DecisionV1, Effect, ExplainEntry, MatchedRule, StepRecord } from '../decision.js';
import type { JsonObject } from '../json.js';

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
  | 'approval';

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
}
