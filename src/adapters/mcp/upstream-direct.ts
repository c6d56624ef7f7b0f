/**
 * The direct tools/call path to a Streamable HTTP upstream. The SDK client opens and owns the
 * session (initialize, listings, the notification stream, every other request); a tools/call goes
 * out as one JSON-RPC POST on the same kept-alive sockets with the session's headers, and its
 * answer is read as JSON or as an SSE stream without the SDK's per-message machinery, which costs
 * more than the rest of the gateway's forwarding. What the SDK checked is checked here too: the
 * answer's id, the JSON-RPC shape, the shape of a CallToolResult (callToolResultProblem), the
 * per-call timeout (with notifications/cancelled sent on expiry) and cancellation by the caller.
 * Messages on the stream that are not the answer (notifications, requests from the server) are
 * handed to the SDK client, which handles them as if they had arrived on its own stream.
 *
 * Calls that forward progress to the caller use the SDK client (upstream.ts decides).
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { GatewayError } from '../../core/errors.js';
import type { CancelSignal } from './cancellation.js';
import { looksLikeJsonRpc } from './http-body.js';
import { readCapped, type NodeFetch } from './node-fetch.js';

export interface DirectSession {
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly fetcher: NodeFetch;
  readonly sessionId: string | undefined;
  readonly protocolVersion: string | undefined;
  /** Hands a message that is not this call's answer to the SDK client. */
  deliver(message: Record<string, unknown>): void;
}

export interface DirectCallOptions {
  timeoutMs: number;
  signal?: CancelSignal;
}

/** Why a call was stopped: it destroys the request, which ends whatever reading is under way. */
class Stopped extends Error {
  constructor(readonly why: 'timeout' | 'cancelled') {
    super(why === 'timeout' ? 'the call timed out' : 'the call was cancelled');
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';

/** Why `content[i]` is not a content block the specification defines, or null. */
function contentProblem(block: unknown): string | null {
  if (!isObject(block) || !isString(block.type)) return 'a content block without a type';
  switch (block.type) {
    case 'text':
      return isString(block.text) ? null : 'a text block without text';
    case 'image':
    case 'audio':
      return isString(block.data) && isString(block.mimeType) ? null : `an ${block.type} block without data`;
    case 'resource': {
      const r = block.resource;
      return isObject(r) && isString(r.uri) && (isString(r.text) || isString(r.blob))
        ? null
        : 'an embedded resource without uri and contents';
    }
    case 'resource_link':
      return isString(block.uri) && isString(block.name) ? null : 'a resource link without uri and name';
    default:
      return `an unknown content type ${JSON.stringify(block.type).slice(0, 40)}`;
  }
}

/**
 * Why `result` is not a CallToolResult, or null. `content` may be missing (it defaults to an empty
 * list, as in the SDK); everything else the specification types is checked.
 */
export function callToolResultProblem(result: unknown): string | null {
  if (!isObject(result)) return 'the result is not an object';
  if (result.content !== undefined) {
    if (!Array.isArray(result.content)) return 'content is not a list';
    for (const block of result.content) {
      const problem = contentProblem(block);
      if (problem !== null) return problem;
    }
  }
  if (result.isError !== undefined && typeof result.isError !== 'boolean') return 'isError is not a boolean';
  if (result.structuredContent !== undefined && !isObject(result.structuredContent))
    return 'structuredContent is not an object';
  if (result._meta !== undefined && !isObject(result._meta)) return '_meta is not an object';
  return null;
}

/**
 * Splits an SSE stream (as text) into the data of its message events. Events without data (the
 * priming event of a resumable stream) and events of another type are skipped, as the SDK does.
 */
export class SseReader {
  private buffer = '';

  /** The data of every message event completed by `chunk`. */
  push(chunk: string): string[] {
    this.buffer += chunk;
    const out: string[] = [];
    for (;;) {
      const end = /\r?\n\r?\n|\r\r/.exec(this.buffer);
      if (end === null) return out;
      const block = this.buffer.slice(0, end.index);
      this.buffer = this.buffer.slice(end.index + end[0].length);
      const data: string[] = [];
      let type = 'message';
      for (const line of block.split(/\r?\n|\r/)) {
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(line[colon + 1] === ' ' ? colon + 2 : colon + 1);
        if (field === 'data') data.push(value);
        else if (field === 'event') type = value;
      }
      const text = data.join('\n');
      if (text !== '' && type === 'message') out.push(text);
    }
  }
}

function malformed(upstream: string, why: string): GatewayError {
  return new GatewayError(
    'mcp_upstream_error',
    `upstream ${upstream} answered with a malformed result: ${why}`,
  );
}

export class DirectToolCaller {
  private counter = 0;
  private readonly postHeaders: Record<string, string>;

  constructor(
    private readonly upstream: string,
    private readonly session: DirectSession,
  ) {
    this.postHeaders = {
      ...session.headers,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    if (session.sessionId !== undefined) this.postHeaders['mcp-session-id'] = session.sessionId;
    if (session.protocolVersion !== undefined)
      this.postHeaders['mcp-protocol-version'] = session.protocolVersion;
  }

  /**
   * Calls `name` and returns its result once checked to be a CallToolResult. A JSON-RPC error
   * answer is thrown as McpError, expiry as McpError RequestTimeout, a caller's cancellation as an
   * AbortError, a malformed answer as mcp_upstream_error, an HTTP failure as a plain Error (the
   * connection is then rebuilt; upstream-errors.ts).
   */
  async callTool(name: string, args: Json, options: DirectCallOptions): Promise<Json> {
    // String ids cannot collide with the SDK client's numeric ones on the same session.
    const id = `portcullis-${++this.counter}`;
    let request: ClientRequest | null = null;
    let stopped: Stopped | null = null;
    const stop = (why: Stopped['why']) => {
      if (stopped !== null) return;
      stopped = new Stopped(why);
      request?.destroy(stopped);
    };
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    const outer = options.signal;
    const onCancel = () => stop('cancelled');
    if (outer?.aborted === true) stop('cancelled');
    else outer?.addEventListener('abort', onCancel, { once: true });
    try {
      const early = stopped as Stopped | null;
      if (early !== null) throw early;
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name, arguments: args },
      });
      const res = await this.session.fetcher.send(this.session.url, {
        method: 'POST',
        headers: this.postHeaders,
        body,
        onRequest: (req) => {
          request = req;
        },
      });
      const result = await this.answer(res, id);
      const problem = callToolResultProblem(result);
      if (problem !== null) throw malformed(this.upstream, problem);
      return result as Json;
    } catch (e) {
      const why = (stopped as Stopped | null)?.why;
      if (why === undefined) throw e;
      this.post({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: id, reason: why === 'timeout' ? 'timed out' : 'cancelled by the caller' },
      });
      if (why === 'timeout') throw new McpError(ErrorCode.RequestTimeout, 'Request timed out');
      throw new DOMException('the call was cancelled', 'AbortError');
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onCancel);
    }
  }

  /** Sends a message that needs no answer (a notification), best effort. */
  private post(message: Json): void {
    this.session.fetcher
      .send(this.session.url, { method: 'POST', headers: this.postHeaders, body: JSON.stringify(message) })
      .then((res) => res.resume())
      .catch(() => undefined);
  }

  /** Reads the answer to request `id` from a JSON or SSE response. */
  private async answer(res: IncomingMessage, id: string): Promise<unknown> {
    const status = res.statusCode ?? 0;
    const type = res.headers['content-type'] ?? '';
    const max = this.session.fetcher.maxBytes;
    if (status < 200 || status >= 300 || status === 202) {
      const text = await readCapped(res, max).catch(() => '');
      throw new Error(`HTTP ${status} from the upstream: ${text.slice(0, 200)}`);
    }
    if (type.includes('text/event-stream')) return this.fromStream(res, id);
    if (!type.includes('application/json')) {
      res.resume();
      throw malformed(this.upstream, `unexpected content type ${type.slice(0, 60) || '(none)'}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readCapped(res, max));
    } catch (e) {
      if (e instanceof GatewayError) throw e;
      throw malformed(this.upstream, 'the body is not JSON');
    }
    let found: { value: unknown } | null = null;
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
      const mine = this.take(message, id);
      if (mine !== null) found = mine;
    }
    if (found === null) throw malformed(this.upstream, 'no answer to the call');
    return found.value;
  }

  private fromStream(res: IncomingMessage, id: string): Promise<unknown> {
    const max = this.session.fetcher.maxBytes;
    const reader = new SseReader();
    res.setEncoding('utf8');
    return new Promise((resolve, reject) => {
      let seen = 0;
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        fn();
      };
      res.on('data', (chunk: string) => {
        seen += Buffer.byteLength(chunk);
        if (seen > max) {
          res.destroy();
          settle(() =>
            reject(new GatewayError('mcp_result_too_large', `upstream response exceeds ${max} bytes`)),
          );
          return;
        }
        for (const data of reader.push(chunk)) {
          let message: unknown;
          try {
            message = JSON.parse(data);
          } catch {
            res.destroy();
            settle(() => reject(malformed(this.upstream, 'an event is not JSON')));
            return;
          }
          try {
            const mine = this.take(message, id);
            if (mine !== null) settle(() => resolve(mine.value));
          } catch (e) {
            settle(() => reject(e instanceof Error ? e : new Error(String(e))));
          }
        }
      });
      res.once('end', () =>
        settle(() => reject(malformed(this.upstream, 'the stream ended without an answer'))),
      );
      res.once('error', (e) => settle(() => reject(e)));
      res.once('close', () => settle(() => reject(new Error('the upstream closed the stream'))));
    });
  }

  /**
   * `{value}` when `message` answers `id` (throwing its JSON-RPC error), null when it is another
   * message (handed to the SDK client).
   */
  private take(message: unknown, id: string): { value: unknown } | null {
    if (!looksLikeJsonRpc(message)) throw malformed(this.upstream, 'not a JSON-RPC message');
    const m = message as Json;
    if (m.id === id && typeof m.method !== 'string') {
      if ('error' in m) {
        const err = m.error;
        if (!isObject(err) || typeof err.code !== 'number' || !isString(err.message))
          throw malformed(this.upstream, 'an error answer without code and message');
        throw new McpError(err.code, err.message, err.data);
      }
      return { value: m.result };
    }
    this.session.deliver(m);
    return null;
  }
}
