/**
 * The gateway as an MCP server (the SDK's low-level Server), one per downstream session. Each
 * handler finds out who is calling (`identify`: the stdio key, or the bearer key of this HTTP
 * request) and hands the request to the governor. Params are checked here, so a malformed
 * request gets JSON-RPC -32602 rather than an internal error.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AgentIdentity, Credential } from '../../core/action.js';
import { resourceReadAction } from '../../core/mcp/actions.js';
import { parseToolCallParams, type CallerContext, type Governor } from './governor.js';
import {
  getPrompt,
  listPrompts,
  listResources,
  listResourceTemplates,
  parsePromptParams,
  parseUriParams,
  readResource,
} from './governor-content.js';
import type { SubscriptionHub } from './subscriptions.js';
import type { Upstream } from './upstream.js';

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
export type Identify = (extra: Extra) => { credential: Credential; agent: AgentIdentity };

export const SERVER_INFO = { name: 'portcullis', version: '0.1.0' };

/** Accepts any params: the handler validates them and answers -32602 itself. */
const loose = <M extends string>(method: M) =>
  z.object({ method: z.literal(method), params: z.unknown().optional() });

function caller(identify: Identify, extra: Extra): CallerContext {
  const { credential, agent } = identify(extra);
  const ctx: CallerContext = { credential, agent, signal: extra.signal };
  if (extra.sessionId !== undefined) ctx.sessionId = extra.sessionId;
  const token = extra._meta?.progressToken;
  if (token !== undefined) {
    ctx.onprogress = (p) => {
      void extra
        .sendNotification({ method: 'notifications/progress', params: { ...p, progressToken: token } })
        .catch(() => undefined);
    };
  }
  return ctx;
}

export function createDownstreamServer(gov: Governor, hub: SubscriptionHub, identify: Identify): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: {
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      logging: {},
    },
    // Several changes in one tick reach the client as one notification.
    debouncedNotificationMethods: [
      'notifications/tools/list_changed',
      'notifications/prompts/list_changed',
      'notifications/resources/list_changed',
    ],
  });

  server.setRequestHandler(loose('tools/list'), (_req, extra) => ({
    tools: gov.listTools(identify(extra).agent),
  }));
  server.setRequestHandler(loose('tools/call'), async (req, extra) =>
    gov.callTool(caller(identify, extra), parseToolCallParams(req.params)),
  );

  server.setRequestHandler(loose('prompts/list'), (_req, extra) => ({
    prompts: listPrompts(gov, identify(extra).agent),
  }));
  server.setRequestHandler(loose('prompts/get'), async (req, extra) =>
    getPrompt(gov, caller(identify, extra), parsePromptParams(req.params)),
  );

  server.setRequestHandler(loose('resources/list'), (_req, extra) => ({
    resources: listResources(gov, identify(extra).agent),
  }));
  server.setRequestHandler(loose('resources/templates/list'), (_req, extra) => ({
    resourceTemplates: listResourceTemplates(gov, identify(extra).agent),
  }));
  server.setRequestHandler(loose('resources/read'), async (req, extra) =>
    readResource(gov, caller(identify, extra), parseUriParams('resources/read', req.params)),
  );

  const notifyUpdated = (uri: string) => {
    void server.sendResourceUpdated({ uri }).catch(() => undefined);
  };
  server.setRequestHandler(loose('resources/subscribe'), async (req, extra) => {
    const uri = parseUriParams('resources/subscribe', req.params);
    const agent = identify(extra).agent;
    // Only a resource the agent may read can be watched (the listing rule, uri known).
    const mayRead = (u: Upstream, target: string) =>
      gov.visibility(agent, resourceReadAction(u.name, target), true).visible;
    await hub.subscribe(server, uri, notifyUpdated, mayRead);
    return {};
  });
  server.setRequestHandler(loose('resources/unsubscribe'), async (req) => {
    await hub.unsubscribe(server, parseUriParams('resources/unsubscribe', req.params));
    return {};
  });

  return server;
}
