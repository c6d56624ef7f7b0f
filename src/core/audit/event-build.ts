/**
 * Builders for the three kinds of ledger event. Each returns a sealed (deep-frozen) AuditEventV1
 * with its deterministic id; the six layers are laid out here once and for all (docs/audit.md
 * describes them). Values must already be redacted by the caller: the ledger stores what it is
 * given, and raw PII must never reach it.
 */
import type { Effect } from '../decision.js';
import type { JsonObject } from '../json.js';
import type {
  AuditEventV1,
  DecisionEventParts,
  OutcomeEventParts,
  SystemEventParts,
  SystemEventType,
} from './event.js';
import { formatEventTime, sealEventBody } from './event-encode.js';

/** Outcome-layer status of a decision event, before anything is executed. */
const DECISION_STATUS: Record<Effect, string> = {
  allow: 'pending_execution',
  deny: 'denied',
  escalate: 'pending_approval',
};

function seal(body: Record<string, unknown>): AuditEventV1 {
  return sealEventBody(body);
}

export function buildDecisionEvent(parts: DecisionEventParts, sequence: number): AuditEventV1 {
  const { decision, action, context } = parts;
  const { lineage, ...contextRest } = context ?? {};
  const latency = parts.latency_us ?? parts.steps.reduce((sum, s) => sum + s.duration_us, 0);
  return seal({
    v: 1,
    type: 'decision',
    time: formatEventTime(parts.time),
    instance: parts.instance,
    sequence,
    decision_id: decision.id,
    inputs: {
      action: {
        kind: action.kind,
        tool: action.tool,
        server: action.server,
        args: action.args,
        prompt: action.prompt,
      },
      context: contextRest,
      lineage: lineage ?? [],
      findings: parts.findings,
      ...(parts.coverage === undefined ? {} : { coverage: parts.coverage }),
    },
    policy: {
      version: decision.policy_version,
      evaluated: (parts.explanation ?? []).map((e) => ({
        policy_id: e.policy_id,
        rule_id: e.rule_id,
        effect: e.effect,
        result: e.result,
      })),
      matched: parts.matched,
    },
    decision: {
      outcome: parts.outcome,
      code: decision.code,
      reasons: decision.reasons,
      explanation: parts.explanation ?? [],
      obligations: decision.obligations,
      approval: decision.approval,
      steps: parts.steps,
    },
    action: {
      adapter: parts.adapter,
      kind: action.kind,
      tool: action.tool,
      server: action.server,
      agent: parts.agent,
      model: parts.model,
    },
    outcome: { status: DECISION_STATUS[parts.outcome], latency_us: latency },
    impact: { declared: parts.impact ?? {} },
  });
}

/** The reported result of an executed action, linked to its decision by `decision_id`. */
export function buildOutcomeEvent(parts: OutcomeEventParts, sequence: number): AuditEventV1 {
  return seal({
    v: 1,
    type: 'outcome',
    time: formatEventTime(parts.time),
    instance: parts.instance,
    sequence,
    decision_id: parts.decision_id,
    inputs: { findings: parts.findings ?? {} },
    policy: {},
    decision: {},
    action: { adapter: parts.adapter, agent: parts.agent },
    outcome: { status: parts.status, error: parts.error, latency_ms: parts.latency_ms },
    impact: { reported: parts.impact ?? {} },
  });
}

/** policy_reload, config_change, admin_action, key_rotation and approval events. */
export function buildSystemEvent(
  type: SystemEventType,
  parts: SystemEventParts,
  sequence: number,
): AuditEventV1 {
  const details: JsonObject = parts.details;
  return seal({
    v: 1,
    type,
    time: formatEventTime(parts.time),
    instance: parts.instance,
    sequence,
    decision_id: parts.decision_id,
    inputs: { details },
    policy: {},
    decision: {},
    action: { kind: type, actor: parts.actor ?? null },
    outcome: { status: parts.status ?? 'recorded' },
    impact: {},
  });
}
