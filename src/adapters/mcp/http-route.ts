/**
 * The downstream Streamable HTTP endpoint, /mcp. Every HTTP request is authenticated with the
 * agent's API key (bearer), so a revoked key stops working at once, mid-session. In stateful mode
 * a session (Mcp-Session-Id) lives in this replica and is bound to the agent that opened it: any
 * other key presenting that id is told the session does not exist. Host and Origin are checked
 * against DNS rebinding before anything else.
 */
import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Context, Hono } from 'hono';
import type { AgentIdentity, Credential } from '../../core/action.js';
import type { Gateway } from '../../app/create-gateway.js';
import { credentialFrom } from '../http/app.js';
import type { Extra, Identify } from './downstream-server.js';
import { headerOf, readBodyBytes } from '../http/read-body.js';
import { rpcError, validateRpcBody, isInitialize } from './http-body.js';
import { Cancellation } from './cancellation.js';
import { answerToolCall, cancelledRequestId, plainToolCall, type HeaderGetter } from './http-tool-call.js';
import { originAllowed, hostAllowed, rebindingRules, type RebindingRules } from './rebinding.js';
import { mcpRuntimeOf, type McpRuntime } from './runtime.js';

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: Server;
  agentId: string;
  lastSeen: number;
  /** tools/call requests on the direct path (http-tool-call.ts), by id, for notifications/cancelled. */
  calls: Map<string | number, Cancellation>;
}

const identifyFromAuth: Identify = (extra: Extra) => {
  const info = extra.authInfo?.extra as { credential?: Credential; agent?: AgentIdentity } | undefined;
  if (info?.credential === undefined || info.agent === undefined)
    throw new Error('request reached the MCP server without an authenticated agent');
  return { credential: info.credential, agent: info.agent };
};

export class McpHttpEndpoint {
  private readonly sessions = new Map<string, Session>();
  private readonly rules: RebindingRules;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly runtime: McpRuntime) {
    const cfg = runtime.host.config;
    this.rules = rebindingRules(cfg.server.host, cfg.mcp!.http);
    runtime.onClose(() => this.closeAll());
  }

  private get settings() {
    return this.runtime.host.mcp.http;
  }

  async handle(c: Context): Promise<Response> {
    const req = c.req.raw;
    if (!hostAllowed(this.rules, headerOf(c, 'host')))
      return rpcError(403, -32000, 'Forbidden: Host header not allowed');
    if (!originAllowed(this.rules, headerOf(c, 'origin')))
      return rpcError(403, -32000, 'Forbidden: Origin not allowed');
    if (req.method !== 'POST' && req.method !== 'GET' && req.method !== 'DELETE') {
      return rpcError(405, -32000, 'Method not allowed', { allow: 'GET, POST, DELETE' });
    }
    const credential = credentialFrom(c);
    const agent = await this.runtime.host.authenticate(credential);
    if (agent === null) {
      return rpcError(401, -32001, 'Unauthorized: missing, unknown or revoked API key', {
        'www-authenticate': 'Bearer realm="portcullis"',
      });
    }
    const authInfo: AuthInfo = { token: '', clientId: agent.id, scopes: [], extra: { credential, agent } };

    let parsedBody: unknown;
    if (req.method === 'POST') {
      const body = await readBodyBytes(c, this.runtime.host.config.server.body_limit_bytes);
      if (body === null) return rpcError(413, -32600, 'Request body is larger than the configured limit');
      const checked = validateRpcBody(body.toString('utf8'));
      if (!checked.ok) return checked.response;
      parsedBody = checked.value;
    }
    const header: HeaderGetter = { get: (name) => headerOf(c, name) ?? null };
    return this.settings.sessions === 'stateless'
      ? this.stateless(req, authInfo, parsedBody)
      : this.stateful(req, header, agent, credential, authInfo, parsedBody);
  }

  private async stateful(
    req: Request,
    header: HeaderGetter,
    agent: AgentIdentity,
    credential: Credential,
    authInfo: AuthInfo,
    parsedBody: unknown,
  ): Promise<Response> {
    const sid = header.get('mcp-session-id');
    if (sid !== null) {
      const session = this.sessions.get(sid);
      // Another agent's session id is answered exactly like an unknown one.
      if (session === undefined || session.agentId !== agent.id)
        return rpcError(404, -32001, 'Session not found');
      session.lastSeen = Date.now();
      if (req.method === 'POST') {
        const call = plainToolCall(parsedBody, header);
        if (call !== null) return this.directCall(session, sid, agent, credential, call);
        const cancelled = cancelledRequestId(parsedBody);
        if (cancelled !== undefined) session.calls.get(cancelled)?.abort();
      }
      return session.transport.handleRequest(req, { authInfo, parsedBody });
    }
    if (req.method !== 'POST' || !isInitialize(parsedBody)) {
      return rpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required (send initialize first)');
    }
    await this.makeRoom(agent.id);

    const server = this.runtime.newServer(identifyFromAuth);
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: this.settings.response === 'json',
      maxRequestBodySize: this.runtime.host.config.server.body_limit_bytes,
      onsessioninitialized: (id) => {
        this.sessions.set(id, {
          transport,
          server,
          agentId: agent.id,
          lastSeen: Date.now(),
          calls: new Map(),
        });
      },
      onsessionclosed: (id) => {
        void this.end(id);
      },
    });
    await server.connect(transport);
    this.ensureSweeper();
    const response = await transport.handleRequest(req, { authInfo, parsedBody });
    // An initialize that failed (bad protocol version, bad params) leaves no session behind.
    if (transport.sessionId === undefined || !this.sessions.has(transport.sessionId))
      await this.runtime.release(server);
    return response;
  }

  private async directCall(
    session: Session,
    sid: string,
    agent: AgentIdentity,
    credential: Credential,
    call: ReturnType<typeof plainToolCall> & object,
  ): Promise<Response> {
    const controller = new Cancellation();
    session.calls.set(call.id, controller);
    try {
      return await answerToolCall(
        this.runtime.governor,
        { credential, agent, sessionId: sid, signal: controller },
        call,
        this.settings.response,
        sid,
      );
    } finally {
      if (session.calls.get(call.id) === controller) session.calls.delete(call.id);
    }
  }

  /** No session: a fresh server per request, JSON answers, nothing kept. */
  private async stateless(req: Request, authInfo: AuthInfo, parsedBody: unknown): Promise<Response> {
    if (req.method !== 'POST')
      return rpcError(405, -32000, 'Method not allowed in stateless mode', { allow: 'POST' });
    const server = this.runtime.newServer(identifyFromAuth);
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
    try {
      await server.connect(transport);
      return await transport.handleRequest(req, { authInfo, parsedBody });
    } finally {
      await this.runtime.release(server);
    }
  }

  private async end(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (session === undefined) return;
    this.sessions.delete(id);
    for (const call of session.calls.values()) call.abort();
    await this.runtime.release(session.server);
  }

  /**
   * Room for one more session of `agentId`: idle sessions go first; then, at the per-agent cap,
   * that agent's least recently used session; at the global cap, the least recently used of all.
   * An evicted session's client gets 404 and starts a new one, as the specification requires, so
   * no agent can lock others out by opening sessions.
   */
  private async makeRoom(agentId: string): Promise<void> {
    await this.sweep();
    const lru = (filter: (s: Session) => boolean): string | undefined =>
      [...this.sessions.entries()]
        .filter(([, s]) => filter(s))
        .sort((a, b) => a[1].lastSeen - b[1].lastSeen)[0]?.[0];
    const own = [...this.sessions.values()].filter((s) => s.agentId === agentId).length;
    if (own >= this.settings.max_sessions_per_agent) {
      const victim = lru((s) => s.agentId === agentId);
      if (victim !== undefined) await this.end(victim);
    }
    if (this.sessions.size >= this.settings.max_sessions) {
      const victim = lru(() => true);
      if (victim !== undefined) await this.end(victim);
    }
  }

  private async sweep(): Promise<void> {
    const cutoff = Date.now() - this.settings.session_idle_timeout_ms;
    const idle = [...this.sessions.entries()].filter(([, s]) => s.lastSeen < cutoff).map(([id]) => id);
    await Promise.all(idle.map((id) => this.end(id)));
  }

  private ensureSweeper(): void {
    if (this.sweeper !== null) return;
    this.sweeper = setInterval(
      () => void this.sweep(),
      Math.min(60_000, this.settings.session_idle_timeout_ms),
    );
    this.sweeper.unref();
  }

  private async closeAll(): Promise<void> {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    await Promise.all([...this.sessions.keys()].map((id) => this.end(id)));
  }
}

const endpoints = new WeakMap<McpRuntime, McpHttpEndpoint>();

/**
 * Mounts /mcp on the HTTP app when the config has an `mcp:` section. The runtime is looked up at
 * request time, so the route exists even before startMcp() ran (it answers 503 until then).
 */
export function mountMcp(app: Hono, gateway: Gateway): void {
  if (gateway.config.mcp === undefined) return;
  app.all('/mcp', (c) => {
    const runtime = mcpRuntimeOf(gateway);
    if (runtime === undefined)
      return rpcError(503, -32000, 'The MCP gateway is not started', { 'retry-after': '1' });
    let endpoint = endpoints.get(runtime);
    if (endpoint === undefined) {
      endpoint = new McpHttpEndpoint(runtime);
      endpoints.set(runtime, endpoint);
    }
    return endpoint.handle(c);
  });
}
