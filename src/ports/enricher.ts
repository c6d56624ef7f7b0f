import type { ActionV1, AgentIdentity, ContextV1, ImpactV1 } from '../core/action.js';
import type { Effect } from '../core/decision.js';
import type { JsonObject } from '../core/json.js';
import type { LimitBreach } from '../core/limits/types.js';

export interface Enrichment {
  usage: JsonObject;
  risk: JsonObject;
  posture: 'normal' | 'elevated' | 'lockdown';
  /** Frozen by a kill switch: the pipeline denies with code kill_switch. */
  frozen: string | null;
  /** A rate limit or budget is exhausted: the pipeline denies with code rate_limited. */
  limited?: LimitBreach | null;
}

/** Facts of the request beyond the action that limits may key on or sum. */
export interface EnrichRequestFacts {
  on_behalf_of?: string | undefined;
  impact?: ImpactV1 | undefined;
}

/** Rate counters, budgets, risk, posture and kill switch. */
export interface ContextEnricher {
  readonly name: string;
  enrich(
    agent: AgentIdentity,
    action: ActionV1,
    context: ContextV1 | undefined,
    request?: EnrichRequestFacts,
  ): Promise<Enrichment>;
  /** Called once the final outcome is known; e.g. gives limit charges back when it is not an allow. */
  settle?(enrichment: Enrichment, outcome: Effect): Promise<void>;
}
