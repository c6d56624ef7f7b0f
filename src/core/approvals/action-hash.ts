import { createHash } from 'node:crypto';
import type { ActionV1, ContextV1 } from '../action.js';
import { canonicalJson } from '../canonical-json.js';

/**
 * The canonical action an approval is bound to: SHA-256 over RFC 8785 canonical JSON of the
 * action (kind, tool, server, args, prompt), the agent, the user it acts for and the declared
 * context. Any change to any of them (a different amount, another beneficiary, another user)
 * is a different action that needs its own approval.
 */
export function actionHash(input: {
  agentId: string;
  onBehalfOf: string | null;
  action: ActionV1;
  context: ContextV1 | null | undefined;
}): string {
  const a = input.action;
  const canonical = canonicalJson({
    v: 1,
    agent: input.agentId,
    on_behalf_of: input.onBehalfOf,
    kind: a.kind,
    tool: a.tool ?? null,
    server: a.server ?? null,
    args: a.args,
    prompt: a.prompt ?? null,
    context: input.context ?? null,
  });
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}
