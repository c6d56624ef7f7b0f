/**
 * What an agent receives when the gateway does not forward a call. For tools/call a refusal is a
 * tool result with `isError: true` (the model reads it and can adapt), never a protocol failure.
 * For resources/read and prompts/get, which have no error result, it is a JSON-RPC error with
 * code REFUSED and the same details in `data`. Either way the stable code travels with it:
 * `_meta["portcullis/decision"]` on tool results, `error.data` on JSON-RPC errors.
 */
import type { DecisionV1, Effect } from '../decision.js';

export const DECISION_META_KEY = 'portcullis/decision';

/** JSON-RPC error code for requests the gateway refused or could not complete. */
export const REFUSED = -32040;
/** JSON-RPC error code the specification gives for an unknown resource. */
export const RESOURCE_NOT_FOUND = -32002;

export interface RefusalDetails {
  /** Stable code: a decision code (`no_rule_matched`, `rule_matched`...) or an error code. */
  code: string;
  outcome?: Effect;
  decision_id?: string;
  approval_id?: string;
  reasons?: string[];
}

export interface ToolErrorResult {
  [key: string]: unknown;
  content: Array<{ type: 'text'; text: string }>;
  isError: true;
  _meta: { [DECISION_META_KEY]: RefusalDetails };
}

export function toolError(text: string, details: RefusalDetails): ToolErrorResult {
  return { content: [{ type: 'text', text }], isError: true, _meta: { [DECISION_META_KEY]: details } };
}

export function decisionDetails(decision: DecisionV1): RefusalDetails {
  const details: RefusalDetails = {
    code: decision.code,
    outcome: decision.outcome,
    decision_id: decision.id,
    reasons: decision.reasons,
  };
  if (decision.approval !== undefined) details.approval_id = decision.approval.id;
  return details;
}

/** The message a model reads for a deny or an escalation; names the decision (and approval) id. */
export function refusalText(decision: DecisionV1, subject: string): string {
  const why = decision.reasons.length > 0 ? decision.reasons.join('; ') : decision.code;
  if (decision.outcome === 'escalate') {
    const approval = decision.approval?.id ?? 'unknown';
    return (
      `Portcullis: ${subject} needs human approval. Approval ${approval} is pending (${why}). ` +
      `Decision ${decision.id}. Retry the same call once it has been approved.`
    );
  }
  return `Portcullis denied ${subject}: ${why}. Decision ${decision.id} (code ${decision.code}).`;
}

export function decisionToolError(decision: DecisionV1, subject: string): ToolErrorResult {
  return toolError(refusalText(decision, subject), decisionDetails(decision));
}
