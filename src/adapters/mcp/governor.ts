/**
 * Governance of MCP requests, independent of the downstream transport: listings filtered by the
 * visibility rule, and every tools/call through the one pipeline — guard the arguments, decide,
 * (approval), validate against the input schema, forward, guard the result, record the outcome.
 * Refusals are tool results with isError (tools) or JSON-RPC errors carrying the code in data.
 */
import { McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { AgentIdentity, Credential } from '../../core/action.js';
import { toolCallAction } from '../../core/mcp/actions.js';
import { heldBackListing, type CatalogTool } from '../../core/mcp/catalog.js';
import {
  decisionToolError,
  DECISION_META_KEY,
  REFUSED,
  toolError,
  type RefusalDetails,
  type ToolErrorResult,
} from '../../core/mcp/refusals.js';
import { ConditionClassCache, visibilityOf, type Visibility } from '../../core/mcp/visibility.js';
import type { JsonObject } from '../../core/json.js';
import type { OutcomeReport } from '../../app/create-gateway.js';
import { ArgValidator } from './arg-validator.js';
import type { CancelSignal } from './cancellation.js';
import type { McpHost } from './host.js';
import { guardToolResult } from './output-guard.js';
import { classifyUpstreamError } from './upstream-errors.js';
import type { CallOptions } from './upstream.js';
import type { UpstreamManager } from './upstream-manager.js';

/** Who is asking, and how to reach back to them during the call. */
export interface CallerContext {
  credential: Credential;
  agent: AgentIdentity;
  sessionId?: string;
  signal?: CancelSignal;
  /** Forwards upstream progress to the caller (set when the request carried a progressToken). */
  onprogress?: CallOptions['onprogress'];
}

export interface ToolCallParams {
  name: string;
  arguments: JsonObject;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks tools/call params; a malformed request is a JSON-RPC invalid-params error. */
export function parseToolCallParams(params: unknown): ToolCallParams {
  if (!isPlainObject(params) || typeof params.name !== 'string' || params.name === '') {
    throw new McpError(-32602, 'tools/call needs params.name (a non-empty string)');
  }
  const args = params.arguments ?? {};
  if (!isPlainObject(args)) throw new McpError(-32602, 'tools/call params.arguments must be an object');
  return { name: params.name, arguments: args as JsonObject };
}

export class Governor {
  private classes = new ConditionClassCache('');
  private readonly validator = new ArgValidator();

  constructor(
    readonly host: McpHost,
    readonly manager: UpstreamManager,
  ) {}

  /** The listing rule (docs/mcp.md): shown only if the agent may call it under current policy. */
  visibility(
    agent: AgentIdentity,
    action: Parameters<typeof visibilityOf>[3],
    argsKnown = false,
  ): Visibility {
    const policies = this.host.currentPolicies();
    if (policies !== null && policies.version !== this.classes.version)
      this.classes = new ConditionClassCache(policies.version);
    return visibilityOf(policies, this.classes, agent, action, { argsKnown, now: Date.now() });
  }

  listTools(agent: AgentIdentity): Tool[] {
    const out: Tool[] = [];
    for (const tool of this.manager.tools()) {
      if (tool.hold?.mode === 'hide') continue;
      if (!this.visibility(agent, toolCallAction(tool.upstream, tool.name, {})).visible) continue;
      out.push(
        tool.hold !== null ? heldBackListing(tool) : { ...(tool.definition as Tool), name: tool.qualified },
      );
    }
    return out;
  }

  async callTool(ctx: CallerContext, params: ToolCallParams): Promise<CallToolResult | ToolErrorResult> {
    const target = this.manager.upstreamFor(params.name);
    if (target === null)
      return this.refuse(ctx, params.name, 'mcp_unknown_tool', `Unknown tool ${params.name}.`);
    const { upstream, name } = target;
    const tool: CatalogTool | undefined = upstream.tool(name);
    if (upstream.state === 'ready' && tool === undefined)
      return this.refuse(ctx, params.name, 'mcp_unknown_tool', `Unknown tool ${params.name}.`);
    if (tool?.hold) {
      this.host.logger.warn(
        { tool: tool.qualified, agent: ctx.agent.id, code: tool.hold.code },
        'mcp call to a held-back tool refused',
      );
      void this.host.recordSystemEvent({
        type: 'mcp.held_tool_called',
        upstream: upstream.name,
        detail: { tool: tool.qualified, agent: ctx.agent.id, code: tool.hold.code, hash: tool.hash },
      });
      return toolError(`Portcullis refused ${tool.qualified}: ${tool.hold.reason}.`, {
        code: tool.hold.code,
      });
    }
    const argBytes = Buffer.byteLength(JSON.stringify(params.arguments));
    if (argBytes > this.host.mcp.max_argument_bytes) {
      return this.refuse(
        ctx,
        params.name,
        'mcp_arguments_too_large',
        `Arguments of ${argBytes} bytes exceed the limit of ${this.host.mcp.max_argument_bytes}.`,
        { bytes: argBytes },
      );
    }
    // Schema first: policy and guardrails then only ever see arguments of the declared shape.
    if (tool !== undefined) {
      const check = this.validator.check(tool.hash, tool.definition.inputSchema, params.arguments);
      if (!check.ok) {
        return this.refuse(
          ctx,
          params.name,
          'mcp_invalid_arguments',
          `Invalid arguments for ${params.name}: ${check.errors.join('; ')}.`,
          // Where and why, never the values (they may hold what the guardrails would mask).
          { errors: check.errors },
        );
      }
    }

    const started = performance.now();
    const { decision, action } = await this.host.run({
      credential: ctx.credential,
      request: {
        action: toolCallAction(upstream.name, name, params.arguments),
        ...(ctx.sessionId ? { context: { session_id: ctx.sessionId } } : {}),
      },
      adapter: 'mcp',
    });
    if (decision.outcome !== 'allow') return decisionToolError(decision, params.name);
    const details: RefusalDetails = { code: decision.code, outcome: 'allow', decision_id: decision.id };
    const outcome = this.outcomeRecorder(ctx, decision.id, started);

    if (tool === undefined) {
      // The upstream is down: the catalog (and the schema) is unknown; fail closed.
      await outcome('not_executed', { error: 'mcp_upstream_unavailable' });
      return toolError(
        `Portcullis could not run ${params.name}: upstream ${upstream.name} is not connected.`,
        { ...details, code: 'mcp_upstream_unavailable' },
      );
    }

    let result: CallToolResult;
    try {
      const options: CallOptions = {};
      if (ctx.signal) options.signal = ctx.signal;
      if (ctx.onprogress) options.onprogress = ctx.onprogress;
      result = await upstream.callTool(name, action.args, options);
    } catch (e) {
      // The SDK reports a cancelled request as a timeout: the caller's signal tells them apart.
      if (ctx.signal?.aborted === true) {
        await outcome('error', { error: 'cancelled' });
        return toolError(`The call to ${params.name} was cancelled.`, {
          ...details,
          code: 'mcp_upstream_error',
        });
      }
      const failure = classifyUpstreamError(e, upstream.name);
      await outcome(failure.code === 'mcp_upstream_timeout' ? 'timeout' : 'error', { error: failure.code });
      return toolError(`Portcullis could not complete ${params.name}: ${failure.message}.`, {
        ...details,
        code: failure.code,
      });
    }
    const bytes = Buffer.byteLength(JSON.stringify(result));
    if (bytes > this.host.mcp.max_result_bytes) {
      await outcome('error', { error: 'mcp_result_too_large' });
      return toolError(
        `The result of ${params.name} (${bytes} bytes) exceeds the limit of ${this.host.mcp.max_result_bytes}.`,
        { ...details, code: 'mcp_result_too_large' },
      );
    }
    const guarded = await guardToolResult(this.host, result, ctx.sessionId);
    if (guarded.blocked !== null) {
      await outcome('error', { error: 'mcp_output_blocked', findings: guarded.findings });
      return toolError(`Portcullis withheld the result of ${params.name}: ${guarded.blocked}.`, {
        ...details,
        code: 'mcp_output_blocked',
      });
    }
    await outcome(result.isError === true ? 'error' : 'success', {
      findings: guarded.findings,
      ...(result.isError === true ? { error: 'the tool reported an error' } : {}),
    });
    return { ...result, _meta: { ...result._meta, [DECISION_META_KEY]: details } };
  }

  /**
   * A call refused before the pipeline (unknown tool, oversized or invalid arguments): the agent
   * gets a tool error and the ledger a system event naming agent, tool and code (no argument values).
   */
  private refuse(
    ctx: CallerContext,
    tool: string,
    code: 'mcp_unknown_tool' | 'mcp_arguments_too_large' | 'mcp_invalid_arguments',
    message: string,
    detail: JsonObject = {},
  ): ToolErrorResult {
    this.host.logger.info({ tool, agent: ctx.agent.id, code }, 'mcp call refused before the pipeline');
    void this.host.recordSystemEvent({
      type: 'mcp.call_refused',
      upstream: this.manager.upstreamFor(tool)?.upstream.name ?? '',
      detail: { tool: tool.slice(0, 200), agent: ctx.agent.id, code, ...detail },
    });
    return toolError(message, { code });
  }

  /**
   * How an executed call's outcome reaches the ledger, naming the agent: awaited in durable mode;
   * with async durability the answer goes first (docs/configuration.md) and the outcome event is
   * built and queued just after it leaves, off the caller's path. The action has already run, so
   * in either mode a failure to record it is logged, never turned into a refusal.
   */
  outcomeRecorder(
    ctx: CallerContext,
    decisionId: string,
    started: number,
  ): (status: OutcomeReport['status'], extra?: Partial<OutcomeReport>) => Promise<void> {
    return (status, extra = {}) => {
      const report: OutcomeReport = {
        decisionId,
        status,
        adapter: 'mcp',
        agentId: ctx.agent.id,
        latencyMs: performance.now() - started,
        ...extra,
      };
      if (this.host.config.audit.durability === 'durable') return this.record(report);
      setImmediate(() => void this.record(report));
      return Promise.resolve();
    };
  }

  /** Outcome events are best effort once the action ran: a failure is logged, never hidden. */
  async record(report: OutcomeReport): Promise<void> {
    try {
      await this.host.recordOutcome(report);
    } catch (e) {
      this.host.logger.error(
        { decision: report.decisionId, err: String(e) },
        'could not record the outcome of an mcp call',
      );
    }
  }
}

/** A JSON-RPC error for refused resources/read and prompts/get; `data` carries the details. */
export function refusedError(message: string, details: RefusalDetails, code = REFUSED): McpError {
  return new McpError(code, message, details);
}
