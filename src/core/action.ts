import type { JsonObject, JsonValue } from './json.js';

/**
 * What an agent wants to do. `kind` is a free-form lower-case word with dots; the adapters use
 * `tool_call`, `mcp.resources_read`, `mcp.prompts_get`, `llm.chat`, `http.request`.
 */
export interface ActionV1 {
  kind: string;
  tool?: string;
  server?: string;
  args: JsonObject;
  /** Free text the agent sends to a model, scanned by the guardrails like args. */
  prompt?: string;
}

/** Context that the caller declares about the action. */
export interface ContextV1 {
  environment?: string;
  region?: string;
  purpose?: string;
  data_classification?: string;
  lineage?: string[];
  /** The agent's own confidence in the action, 0..1; policy may route low confidence to humans. */
  confidence?: number;
  session_id?: string;
  /** Deployment-specific facts; policies read them as context.attributes.<name>. */
  attributes?: JsonObject;
}

/** Declared impact of an action (money moved, records touched, cost). */
export interface ImpactV1 {
  amount?: number;
  currency?: string;
  records?: number;
  cost_usd?: number;
}

export interface DecideRequestV1 {
  action: ActionV1;
  context?: ContextV1;
  /** The person the agent acts for; policy sees it as agent.on_behalf_of. */
  on_behalf_of?: string;
  impact?: ImpactV1;
  explain?: boolean;
}

/** Who the agent is, resolved from its credential (never from the request body). */
export interface AgentIdentity {
  id: string;
  version?: string;
  roles: string[];
  permissions: string[];
  attributes: JsonObject;
}

/** How the caller proved who it is. Adapters build it from transport headers. */
export type Credential =
  { type: 'api_key'; key: string } | { type: 'bearer'; token: string } | { type: 'none' };

export type Adapter = 'http' | 'sdk' | 'mcp' | 'llm' | 'cli';

export type JsonArgs = Record<string, JsonValue>;
