/**
 * The direct downstream path for the request agents send most: one `tools/call` POSTed in an
 * established Streamable HTTP session. It is answered here, straight from the governor, as one
 * JSON body or a one-event SSE stream, instead of through the SDK server transport and protocol
 * (stream bookkeeping, schema parsing of every message), which cost more than the pipeline. Only
 * the plain case takes this path: a single request, no progress token, the headers the SDK would
 * accept. Everything else (batches, progress, unusual headers, every other method) goes to the SDK
 * transport, which gives its own answers and errors; so both paths answer the same request alike.
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { CallerContext, Governor } from './governor.js';
import { parseToolCallParams } from './governor.js';

type RpcId = string | number;

/** Reads a request header by lower-case name (a web Headers object is one). */
export interface HeaderGetter {
  get(name: string): string | null;
}

export interface PlainToolCall {
  id: RpcId;
  params: unknown;
}

function mediaType(value: string | null): string {
  return (value ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/**
 * The call when `body` is one tools/call request the direct path can answer exactly as the SDK
 * would, or null.
 */
export function plainToolCall(body: unknown, headers: HeaderGetter): PlainToolCall | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const m = body as Record<string, unknown>;
  if (m.method !== 'tools/call' || (typeof m.id !== 'string' && typeof m.id !== 'number')) return null;
  const params = m.params;
  if (typeof params === 'object' && params !== null) {
    const meta = (params as { _meta?: unknown })._meta;
    // Progress goes back over a held-open stream: the SDK transport does that.
    if (typeof meta === 'object' && meta !== null && 'progressToken' in meta) return null;
  }
  const accept = headers.get('accept') ?? '';
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) return null;
  if (mediaType(headers.get('content-type')) !== 'application/json') return null;
  const version = headers.get('mcp-protocol-version');
  if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return null;
  return { id: m.id, params };
}

/** The requestId of a notifications/cancelled message, or undefined. */
export function cancelledRequestId(body: unknown): RpcId | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const m = body as { method?: unknown; params?: { requestId?: unknown } };
  if (m.method !== 'notifications/cancelled') return undefined;
  const id = m.params?.requestId;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/** The JSON-RPC error the SDK protocol makes of a handler's exception. */
function errorOf(e: unknown): { code: number; message: string; data?: unknown } {
  const err = e as { code?: unknown; message?: unknown; data?: unknown } | null;
  const code = typeof err?.code === 'number' && Number.isSafeInteger(err.code) ? err.code : -32603;
  const message = typeof err?.message === 'string' ? err.message : 'Internal error';
  return err?.data === undefined ? { code, message } : { code, message, data: err.data };
}

/**
 * Runs the call through the governor and answers it: JSON or a single SSE event, with the session
 * id header, as the SDK transport does for the same request.
 */
export async function answerToolCall(
  governor: Governor,
  ctx: CallerContext,
  call: PlainToolCall,
  response: 'json' | 'sse',
  sessionId: string,
): Promise<Response> {
  let payload: string;
  try {
    const result = await governor.callTool(ctx, parseToolCallParams(call.params));
    payload = JSON.stringify({ jsonrpc: '2.0', id: call.id, result });
  } catch (e) {
    payload = JSON.stringify({ jsonrpc: '2.0', id: call.id, error: errorOf(e) });
  }
  if (response === 'json') {
    return new Response(payload, {
      status: 200,
      headers: { 'content-type': 'application/json', 'mcp-session-id': sessionId },
    });
  }
  return new Response(`event: message\ndata: ${payload}\n\n`, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      'mcp-session-id': sessionId,
    },
  });
}
