/**
 * A light MCP load generator for bench/mcp's throughput check: Streamable HTTP spoken directly
 * over keep-alive node:http, one request in flight per session. It does what an MCP client must
 * (initialize, notifications/initialized, the protocol version and session headers on every call,
 * reading each answer whole as JSON or as an SSE event, checking it is this call's result and not
 * a tool error) and nothing more.
 *
 * Why it exists: the official SDK client (Zod-validating every message, fetch) costs the bench
 * process about 600 µs of CPU per call on the session-7 machine, more than the upstream
 * (~420 µs) or the gateway (~450 µs). With client, gateway and upstream sharing two cores, the
 * SDK client's own CPU then decides much of the "saturated" figure. This one costs 110-190 µs per
 * call, so the direct path is bound by the upstream, as a real deployment is (agents do not run
 * on the gateway's cores), and the comparison shows what putting the gateway in front costs.
 * The SDK client still drives every latency phase and is still measured at saturation.
 */
import http from 'node:http';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { SseReader } from '../../src/adapters/mcp/upstream-direct.js';

export interface RawSession {
  id: string;
  /** The protocol version the server chose at initialize, sent on every later request. */
  version: string;
}

interface Answer {
  status: number;
  sessionId: string | undefined;
  text: string;
}

export class RawMcpClient {
  private readonly agent: http.Agent;
  private readonly target: URL;
  private nextId = 1;

  constructor(
    url: string,
    private readonly bearer: string,
    sockets: number,
  ) {
    this.target = new URL(url);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  }

  private send(method: 'POST' | 'DELETE', body: string | null, session?: RawSession): Promise<Answer> {
    const headers: http.OutgoingHttpHeaders = {
      authorization: `Bearer ${this.bearer}`,
      accept: 'application/json, text/event-stream',
    };
    if (body !== null) headers['content-type'] = 'application/json';
    if (session !== undefined) {
      headers['mcp-session-id'] = session.id;
      headers['mcp-protocol-version'] = session.version;
    }
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.target.hostname,
          port: this.target.port,
          path: this.target.pathname,
          method,
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const sid = res.headers['mcp-session-id'];
            resolve({
              status: res.statusCode ?? 0,
              sessionId: typeof sid === 'string' ? sid : undefined,
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body ?? undefined);
    });
  }

  async open(): Promise<RawSession> {
    const init = await this.send(
      'POST',
      JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: {
          protocolVersion: LATEST_PROTOCOL_VERSION,
          capabilities: {},
          clientInfo: { name: 'bench-raw', version: '1' },
        },
      }),
    );
    const result = rpcMessage(init.text)?.result as { protocolVersion?: unknown } | undefined;
    if (init.status !== 200 || init.sessionId === undefined || typeof result?.protocolVersion !== 'string')
      throw new Error(`initialize failed: HTTP ${init.status} ${init.text.slice(0, 300)}`);
    const session = { id: init.sessionId, version: result.protocolVersion };
    const ack = await this.send('POST', '{"jsonrpc":"2.0","method":"notifications/initialized"}', session);
    if (ack.status !== 202) throw new Error(`notifications/initialized: HTTP ${ack.status}`);
    return session;
  }

  /** One tools/call; resolves to the error text when the answer is not a successful result of it. */
  async call(session: RawSession, tool: string, args: Record<string, unknown>): Promise<string | null> {
    const id = this.nextId++;
    const answer = await this.send(
      'POST',
      JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool, arguments: args } }),
      session,
    );
    const message = rpcMessage(answer.text);
    if (answer.status !== 200 || message === null || message.id !== id)
      return `HTTP ${answer.status}: ${answer.text.slice(0, 300)}`;
    const result = message.result as { isError?: unknown; content?: unknown } | undefined;
    if (result === undefined || result.isError === true || !Array.isArray(result.content))
      return JSON.stringify(message).slice(0, 300);
    return null;
  }

  async close(session: RawSession): Promise<void> {
    await this.send('DELETE', null, session).catch(() => undefined);
  }

  destroy(): void {
    this.agent.destroy();
  }
}

/**
 * The JSON-RPC message of an answer: a JSON body, or the first SSE message event with data (the
 * gateway's own SseReader, which skips the priming event a resumable stream may send first).
 */
function rpcMessage(text: string): Record<string, unknown> | null {
  const json = /^(event|data|id|retry):/.test(text) ? new SseReader().push(text)[0] : text;
  if (json === undefined) return null;
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
