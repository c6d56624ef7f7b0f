import type { ActionV1, AgentIdentity, ContextV1 } from '../action.js';
import type { JsonObject } from '../json.js';
import type { PolicyInput } from './types.js';

/**
 * The one place that turns a request's parts into the documented policy input, so that the
 * pipeline, limit expressions and tool listing all show CEL the same document.
 */
export interface PolicyInputParts {
  agent: AgentIdentity;
  onBehalfOf: string | null;
  action: ActionV1;
  context: ContextV1 | undefined;
  findings?: JsonObject;
  risk?: JsonObject;
  usage?: JsonObject;
  posture?: string;
  now: number;
}

const EMPTY: JsonObject = Object.freeze({});

export function buildPolicyInput(p: PolicyInputParts): PolicyInput {
  const { agent, action } = p;
  return {
    agent: {
      id: agent.id,
      roles: agent.roles,
      permissions: agent.permissions,
      attributes: agent.attributes,
      on_behalf_of: p.onBehalfOf,
    },
    action: {
      kind: action.kind,
      tool: action.tool ?? '',
      server: action.server ?? '',
      args: action.args,
      prompt: action.prompt ?? '',
    },
    context: (p.context ?? EMPTY) as JsonObject,
    findings: p.findings ?? EMPTY,
    risk: p.risk ?? EMPTY,
    usage: p.usage ?? EMPTY,
    posture: p.posture ?? 'normal',
    now: p.now,
  };
}
