/**
 * One upstream MCP server: connects (launching it for stdio), lists what it offers into a catalog,
 * forwards calls with a per-call timeout, and when the connection is lost fails the calls in
 * flight (the SDK rejects them) and reconnects with exponential backoff.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import {
  ErrorCode,
  McpError,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type GetPromptResult,
  type JSONRPCMessage,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
} from '@modelcontextprotocol/sdk/types.js';
import type { UpstreamConfig } from '../../app/config-mcp.js';
import {
  buildCatalog,
  type CatalogTool,
  type HoldPolicy,
  type UpstreamTool,
} from '../../core/mcp/catalog.js';
import { GatewayError } from '../../core/errors.js';
import { hashToolDefinition, type PinsFileV1 } from '../../core/mcp/pins.js';
import type { JsonObject } from '../../core/json.js';
import { ArgValidator } from './arg-validator.js';
import { toAbortSignal, type CancelSignal } from './cancellation.js';
import type { McpHost } from './host.js';
import { DirectToolCaller } from './upstream-direct.js';
import { classifyUpstreamError } from './upstream-errors.js';
import { UpstreamLister } from './upstream-lister.js';
import { createUpstreamTransport, HttpUpstreamTransport } from './upstream-transport.js';

export type UpstreamState = 'idle' | 'connecting' | 'ready' | 'restarting' | 'closed';
export type CatalogKind = 'tools' | 'prompts' | 'resources';

export interface UpstreamListener {
  changed(upstream: Upstream, kind: CatalogKind): void;
  resourceUpdated(upstream: Upstream, uri: string): void;
}

export interface CallOptions {
  signal?: CancelSignal;
  onprogress?: RequestOptions['onprogress'];
}

const CLIENT_INFO = { name: 'portcullis', version: '0.1.0' };

export class Upstream {
  state: UpstreamState = 'idle';
  tools: CatalogTool[] = [];
  prompts: Prompt[] = [];
  /** Prompts whose definition the poisoning scan flagged (scanned once per listing). */
  suspiciousPrompts = new Set<string>();
  resources: Resource[] = [];
  templates: Array<{ template: ResourceTemplate; matcher: UriTemplate }> = [];
  lastError: string | null = null;
  private rawTools: UpstreamTool[] = [];
  private toolIndex = new Map<string, CatalogTool>();
  private client: Client | null = null;
  /** The direct tools/call path of a Streamable HTTP connection (upstream-direct.ts). */
  private direct: DirectToolCaller | null = null;
  private readonly outputs = new ArgValidator();
  private generation = 0;
  private attempts = 0;
  private connectedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly announced = new Set<string>();

  constructor(
    readonly config: UpstreamConfig,
    private readonly host: McpHost,
    private readonly pins: () => PinsFileV1,
    private readonly listener: UpstreamListener,
  ) {}

  get name(): string {
    return this.config.name;
  }

  get callTimeoutMs(): number {
    return this.config.call_timeout_ms ?? this.host.mcp.call_timeout_ms;
  }

  /** First connection attempt; on failure the upstream keeps retrying in the background. */
  start(): Promise<void> {
    return this.connect();
  }

  async close(): Promise<void> {
    this.state = 'closed';
    this.generation++;
    if (this.timer !== null) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    this.direct = null;
    await client?.close().catch(() => undefined);
  }

  tool(name: string): CatalogTool | undefined {
    return this.toolIndex.get(name);
  }

  holdPolicy(): HoldPolicy {
    const m = this.host.mcp;
    return {
      onChanged: m.pins.on_changed_definition,
      onUnpinned: m.pins.on_unpinned,
      onSuspicious: m.tool_scan.on_suspicious,
    };
  }

  /** Re-derives the catalog from the last listing (after the pins file changed). */
  rebuildCatalog(): void {
    this.tools = buildCatalog(this.name, this.rawTools, this.pins(), this.holdPolicy(), (d) =>
      this.host.scanTool(d),
    );
    this.toolIndex = new Map(this.tools.map((t) => [t.name, t]));
    for (const t of this.tools) {
      if (t.hold === null) continue;
      this.announceHold(t.qualified, t.hash, {
        code: t.hold.code,
        mode: t.hold.mode,
        reason: t.hold.reason,
        pin: t.pin,
        signals: t.scan.signals.map((x) => `${x.name}@${x.path}`),
      });
    }
  }

  /** Logs and audits a held-back tool or prompt, once per definition. */
  private announceHold(
    qualified: string,
    hash: string,
    detail: JsonObject & { code: string; reason: string },
  ): void {
    const key = `${qualified}@${hash}`;
    if (this.announced.has(key)) return;
    this.announced.add(key);
    this.host.logger.warn(
      { upstream: this.name, tool: qualified, code: detail.code, reason: detail.reason },
      'mcp tool held back',
    );
    void this.host.recordSystemEvent({
      type: 'mcp.tool_held_back',
      upstream: this.name,
      detail: { tool: qualified, hash, ...detail },
    });
  }

  /** The upstream declared resources.subscribe. */
  get supportsSubscribe(): boolean {
    return this.client?.getServerCapabilities()?.resources?.subscribe === true;
  }

  matchesResource(uri: string): boolean {
    return (
      this.resources.some((r) => r.uri === uri) || this.templates.some((t) => t.matcher.match(uri) !== null)
    );
  }

  /**
   * Forwards a tools/call. Over Streamable HTTP, a call that does not forward progress takes the
   * direct path, checked as the SDK client checks (result shape, output schema); every other call
   * goes through the SDK client.
   */
  callTool(name: string, args: Record<string, unknown>, options: CallOptions): Promise<CallToolResult> {
    const client = this.requireClient();
    const direct = this.direct;
    if (direct !== null && options.onprogress === undefined) {
      const call = direct.callTool(name, args, {
        timeoutMs: this.callTimeoutMs,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      return this.guard(call.then((result) => this.checkOutput(name, result as CallToolResult)));
    }
    return this.guard(
      client.callTool(
        { name, arguments: args },
        undefined,
        this.requestOptions(options),
      ) as Promise<CallToolResult>,
    );
  }

  /** The SDK client's rule: a tool with an output schema returns matching structured content. */
  private checkOutput(name: string, result: CallToolResult): CallToolResult {
    const tool = this.toolIndex.get(name);
    const schema = tool?.definition.outputSchema;
    if (tool === undefined || schema === undefined) return result;
    if (result.structuredContent === undefined) {
      if (result.isError === true) return result;
      throw new McpError(
        ErrorCode.InvalidRequest,
        `Tool ${name} has an output schema but did not return structured content`,
      );
    }
    const check = this.outputs.check(
      `${tool.hash}#output`,
      schema,
      result.structuredContent as JsonObject,
      'structured content',
    );
    if (!check.ok)
      throw new McpError(
        ErrorCode.InvalidParams,
        `Structured content does not match the tool's output schema: ${check.errors.join('; ')}`,
      );
    return result;
  }

  readResource(uri: string, options: CallOptions): Promise<ReadResourceResult> {
    return this.guard(this.requireClient().readResource({ uri }, this.requestOptions(options)));
  }

  getPrompt(name: string, args: Record<string, string>, options: CallOptions): Promise<GetPromptResult> {
    return this.guard(
      this.requireClient().getPrompt({ name, arguments: args }, this.requestOptions(options)),
    );
  }

  subscribe(uri: string): Promise<unknown> {
    return this.guard(this.requireClient().subscribeResource({ uri }, { timeout: this.callTimeoutMs }));
  }

  unsubscribe(uri: string): Promise<unknown> {
    return this.guard(this.requireClient().unsubscribeResource({ uri }, { timeout: this.callTimeoutMs }));
  }

  private requestOptions(options: CallOptions): RequestOptions {
    const out: RequestOptions = { timeout: this.callTimeoutMs, maxTotalTimeout: this.callTimeoutMs };
    if (options.signal !== undefined) out.signal = toAbortSignal(options.signal);
    if (options.onprogress !== undefined) {
      out.onprogress = options.onprogress;
      out.resetTimeoutOnProgress = true;
    }
    return out;
  }

  private requireClient(): Client {
    if (this.state === 'ready' && this.client !== null) return this.client;
    const why =
      this.state === 'restarting' ? `restarting after: ${this.lastError ?? 'a failure'}` : this.state;
    throw new GatewayError('mcp_upstream_unavailable', `upstream ${this.name} is not connected (${why})`);
  }

  /** A call whose transport failed marks the connection broken, so it is rebuilt. */
  private async guard<T>(call: Promise<T>): Promise<T> {
    const gen = this.generation;
    try {
      return await call;
    } catch (e) {
      const failure = classifyUpstreamError(e, this.name);
      if (failure.connectionBroken) this.lost(gen, failure.message);
      throw e;
    }
  }

  private async connect(): Promise<void> {
    if (this.state === 'closed') return;
    const gen = ++this.generation;
    this.state = this.attempts === 0 ? 'connecting' : 'restarting';
    const m = this.host.mcp;
    let client: Client | null = null;
    try {
      const transport = createUpstreamTransport(this.config, {
        baseDir: this.host.baseDir,
        env: this.host.env,
        maxMessageBytes: m.max_message_bytes,
        onStderr: (line) =>
          this.host.logger.debug({ upstream: this.name, stderr: line.slice(0, 2000) }, 'mcp upstream stderr'),
      });
      client = new Client(CLIENT_INFO, { capabilities: {} });
      const c = client;
      // Before connect() resolves, a failure surfaces through the catch below, with its reason.
      client.onclose = () => {
        if (this.client === c) this.lost(gen, 'connection closed');
      };
      client.onerror = (e) =>
        this.host.logger.warn(
          { upstream: this.name, err: e.message.slice(0, 500) },
          'mcp upstream transport error',
        );
      await client.connect(transport, { timeout: m.connect_timeout_ms });
      if (gen !== this.generation) throw new Error('superseded');
      this.client = client;
      if (transport instanceof HttpUpstreamTransport) {
        this.direct = new DirectToolCaller(this.name, {
          url: transport.url,
          headers: transport.headers,
          fetcher: transport.fetcher,
          sessionId: transport.sessionId,
          protocolVersion: transport.protocolVersion,
          deliver: (message) => transport.onmessage?.(message as JSONRPCMessage),
        });
      }
      this.watchNotifications(client, gen);
      await this.refresh(client, ['tools', 'prompts', 'resources']);
      if (gen !== this.generation) return;
      this.state = 'ready';
      this.connectedAt = Date.now();
      this.lastError = null;
      this.host.logger.info(
        { upstream: this.name, tools: this.tools.length, attempt: this.attempts },
        'mcp upstream connected',
      );
      void this.host.recordSystemEvent({
        type: 'mcp.upstream_connected',
        upstream: this.name,
        detail: { tools: this.tools.length, attempt: this.attempts },
      });
      for (const kind of ['tools', 'prompts', 'resources'] as const) this.listener.changed(this, kind);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.lost(gen, `connect failed: ${message.slice(0, 300)}`);
      await client?.close().catch(() => undefined);
    }
  }

  /** The connection of generation `gen` is gone: fail closed and schedule a reconnect. */
  private lost(gen: number, reason: string): void {
    if (gen !== this.generation || this.state === 'closed') return;
    this.generation++;
    const client = this.client;
    this.client = null;
    this.direct = null;
    void client?.close().catch(() => undefined);
    const r = this.host.mcp.restart;
    if (this.connectedAt > 0 && Date.now() - this.connectedAt >= r.reset_after_ms) this.attempts = 0;
    this.connectedAt = 0;
    const delay = Math.min(r.max_delay_ms, r.initial_delay_ms * 2 ** Math.min(this.attempts, 20));
    this.attempts++;
    this.state = 'restarting';
    this.lastError = reason;
    this.host.logger.warn(
      { upstream: this.name, reason, retry_in_ms: delay, attempt: this.attempts },
      'mcp upstream lost',
    );
    void this.host.recordSystemEvent({
      type: 'mcp.upstream_restarting',
      upstream: this.name,
      detail: { reason, retry_in_ms: delay, attempt: this.attempts },
    });
    for (const kind of ['tools', 'prompts', 'resources'] as const) this.listener.changed(this, kind);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
    this.timer.unref();
  }

  private watchNotifications(client: Client, gen: number): void {
    const refresh = (kind: CatalogKind) => () => {
      if (gen !== this.generation) return;
      this.refresh(client, [kind])
        .then(() => this.listener.changed(this, kind))
        .catch((e: unknown) =>
          this.host.logger.warn({ upstream: this.name, kind, err: String(e) }, 'mcp upstream refresh failed'),
        );
    };
    client.setNotificationHandler(ToolListChangedNotificationSchema, refresh('tools'));
    client.setNotificationHandler(PromptListChangedNotificationSchema, refresh('prompts'));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, refresh('resources'));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      if (gen === this.generation) this.listener.resourceUpdated(this, n.params.uri);
    });
  }

  private async refresh(client: Client, kinds: CatalogKind[]): Promise<void> {
    const lister = new UpstreamLister(client, {
      timeoutMs: this.host.mcp.connect_timeout_ms,
      max: this.host.mcp.max_items_per_upstream,
      onTruncated: (kind) =>
        this.host.logger.warn(
          { upstream: this.name, kind },
          'mcp upstream lists more than max_items_per_upstream; the rest are ignored',
        ),
    });
    if (kinds.includes('tools')) {
      this.rawTools = await lister.tools();
      this.rebuildCatalog();
    }
    if (kinds.includes('prompts')) {
      this.prompts = await lister.prompts();
      this.suspiciousPrompts = new Set();
      for (const p of this.prompts) {
        const scan = this.host.scanTool(p);
        if (!scan.suspicious) continue;
        this.suspiciousPrompts.add(p.name);
        this.announceHold(`${this.name}.${p.name}`, hashToolDefinition(p), {
          code: 'mcp_tool_suspicious',
          reason: 'its definition looks poisoned',
          signals: scan.signals.map((x) => `${x.name}@${x.path}`),
        });
      }
    }
    if (kinds.includes('resources')) {
      this.resources = await lister.resources();
      this.templates = await lister.templates();
    }
  }
}
