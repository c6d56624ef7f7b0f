import type { ActionV1, AgentIdentity, ContextV1 } from '../core/action.js';
import type { JsonObject } from '../core/json.js';

export interface Enrichment {
  usage: JsonObject;
  risk: JsonObject;
  posture: 'normal' | 'elevated' | 'lockdown';
  /** Frozen by a kill switch: the pipeline denies. */
  frozen: string | null;
}

/** Rate counters, budgets, risk and posture (issue 6 fills this port). */
export interface ContextEnricher {
  readonly name: string;
  enrich(agent: AgentIdentity, action: ActionV1, context: ContextV1 | undefined): Promise<Enrichment>;
}
