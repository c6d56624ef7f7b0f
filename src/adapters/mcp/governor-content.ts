/**
 * Governance of prompts and resources: listings filtered by the same visibility rule as tools,
 * prompts/get and resources/read through the pipeline. These methods have no error result, so
 * refusals are JSON-RPC errors (code -32040, or -32002 for an unknown resource) with the stable
 * code and decision in `data`.
 */
import type {
  GetPromptResult,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
} from '@modelcontextprotocol/sdk/types.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ActionV1, AgentIdentity } from '../../core/action.js';
import { promptGetAction, resourceReadAction } from '../../core/mcp/actions.js';
import { qualifyName } from '../../core/mcp/names.js';
import {
  decisionDetails,
  refusalText,
  RESOURCE_NOT_FOUND,
  type RefusalDetails,
} from '../../core/mcp/refusals.js';
import { refusedError, type CallerContext, type Governor } from './governor.js';
import { guardPromptResult, guardResourceResult, type GuardedOutput } from './output-guard.js';
import { classifyUpstreamError } from './upstream-errors.js';
import type { CallOptions, Upstream } from './upstream.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parsePromptParams(params: unknown): { name: string; arguments: Record<string, string> } {
  if (!isPlainObject(params) || typeof params.name !== 'string' || params.name === '') {
    throw new McpError(-32602, 'prompts/get needs params.name (a non-empty string)');
  }
  const args = params.arguments ?? {};
  if (!isPlainObject(args) || !Object.values(args).every((v) => typeof v === 'string')) {
    throw new McpError(-32602, 'prompts/get params.arguments must map names to strings');
  }
  return { name: params.name, arguments: args as Record<string, string> };
}

export function parseUriParams(method: string, params: unknown): string {
  if (!isPlainObject(params) || typeof params.uri !== 'string' || params.uri === '') {
    throw new McpError(-32602, `${method} needs params.uri (a non-empty string)`);
  }
  return params.uri;
}

function promptVisible(gov: Governor, agent: AgentIdentity, upstream: Upstream, prompt: Prompt): boolean {
  if (gov.host.mcp.tool_scan.on_suspicious !== 'allow' && upstream.suspiciousPrompts.has(prompt.name))
    return false;
  return gov.visibility(agent, promptGetAction(upstream.name, prompt.name, {})).visible;
}

export function listPrompts(gov: Governor, agent: AgentIdentity): Prompt[] {
  const out: Prompt[] = [];
  for (const u of gov.manager.upstreams.values()) {
    if (u.state !== 'ready') continue;
    for (const p of u.prompts)
      if (promptVisible(gov, agent, u, p)) out.push({ ...p, name: qualifyName(u.name, p.name) });
  }
  return out;
}

/** Resources are listed with their exact read action (the uri is known), first claim wins. */
export function listResources(gov: Governor, agent: AgentIdentity): Resource[] {
  const seen = new Set<string>();
  const out: Resource[] = [];
  for (const u of gov.manager.upstreams.values()) {
    if (u.state !== 'ready') continue;
    for (const r of u.resources) {
      if (seen.has(r.uri)) continue;
      seen.add(r.uri);
      if (gov.visibility(agent, resourceReadAction(u.name, r.uri), true).visible) out.push(r);
    }
  }
  return out;
}

/** Templates: shown when some read from that upstream may be allowed (the uri is unknown). */
export function listResourceTemplates(gov: Governor, agent: AgentIdentity): ResourceTemplate[] {
  const out: ResourceTemplate[] = [];
  for (const u of gov.manager.upstreams.values()) {
    if (u.state !== 'ready' || u.templates.length === 0) continue;
    if (!gov.visibility(agent, { ...resourceReadAction(u.name, ''), args: {} }).visible) continue;
    for (const t of u.templates) out.push(t.template);
  }
  return out;
}

/** Runs one governed read-like request: pipeline, forward, output guard, outcome. */
async function governed<T>(
  gov: Governor,
  ctx: CallerContext,
  subject: string,
  action: ActionV1,
  forward: (action: ActionV1, options: CallOptions) => Promise<T>,
  guard: (value: T) => Promise<GuardedOutput<T>>,
): Promise<T> {
  const started = performance.now();
  const { decision, action: executable } = await gov.host.run({
    credential: ctx.credential,
    request: { action, ...(ctx.sessionId ? { context: { session_id: ctx.sessionId } } : {}) },
    adapter: 'mcp',
  });
  if (decision.outcome !== 'allow')
    throw refusedError(refusalText(decision, subject), decisionDetails(decision));
  const details: RefusalDetails = { code: decision.code, outcome: 'allow', decision_id: decision.id };
  const done = gov.outcomeRecorder(ctx, decision.id, started);
  let value: T;
  try {
    const options: CallOptions = ctx.signal ? { signal: ctx.signal } : {};
    value = await forward(executable, options);
  } catch (e) {
    const failure = classifyUpstreamError(e, action.server ?? '');
    await done(failure.code === 'mcp_upstream_timeout' ? 'timeout' : 'error', { error: failure.code });
    throw refusedError(`Portcullis could not complete ${subject}: ${failure.message}`, {
      ...details,
      code: failure.code,
    });
  }
  const guarded = await guard(value);
  if (guarded.blocked !== null) {
    await done('error', { error: 'mcp_output_blocked', findings: guarded.findings });
    throw refusedError(`Portcullis withheld ${subject}: ${guarded.blocked}`, {
      ...details,
      code: 'mcp_output_blocked',
    });
  }
  await done('success', { findings: guarded.findings });
  return guarded.value;
}

export function getPrompt(
  gov: Governor,
  ctx: CallerContext,
  params: { name: string; arguments: Record<string, string> },
): Promise<GetPromptResult> {
  const target = gov.manager.upstreamFor(params.name);
  if (target === null)
    throw new McpError(-32602, `Unknown prompt ${params.name}`, { code: 'mcp_unknown_tool' });
  const prompt = target.upstream.prompts.find((p) => p.name === target.name);
  if (target.upstream.state === 'ready' && prompt === undefined) {
    throw new McpError(-32602, `Unknown prompt ${params.name}`, { code: 'mcp_unknown_tool' });
  }
  if (
    prompt !== undefined &&
    gov.host.mcp.tool_scan.on_suspicious !== 'allow' &&
    target.upstream.suspiciousPrompts.has(prompt.name)
  ) {
    throw refusedError(`Portcullis refused prompt ${params.name}: its definition looks poisoned`, {
      code: 'mcp_tool_suspicious',
    });
  }
  return governed(
    gov,
    ctx,
    `prompt ${params.name}`,
    promptGetAction(target.upstream.name, target.name, params.arguments),
    (action, options) =>
      target.upstream.getPrompt(target.name, action.args as Record<string, string>, options),
    (value) => guardPromptResult(gov.host, value, ctx.sessionId),
  );
}

export function readResource(gov: Governor, ctx: CallerContext, uri: string): Promise<ReadResourceResult> {
  const upstream = gov.manager.upstreamForResource(uri);
  if (upstream === null)
    throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, {
      code: 'mcp_resource_not_found',
      uri,
    });
  return governed(
    gov,
    ctx,
    `resource ${uri}`,
    resourceReadAction(upstream.name, uri),
    (action, options) =>
      upstream.readResource(typeof action.args.uri === 'string' ? action.args.uri : uri, options),
    (value) => guardResourceResult(gov.host, value, ctx.sessionId),
  );
}
