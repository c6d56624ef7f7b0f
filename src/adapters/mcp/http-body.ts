/**
 * Reading and checking a JSON-RPC POST body for /mcp before the SDK transport sees it, so that
 * malformed input gets the JSON-RPC error the specification names: -32700 for text that is not
 * JSON, -32600 for JSON that is not a JSON-RPC message (with its id when it has one).
 */
export function rpcError(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
  id: string | number | null = null,
): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

const isId = (v: unknown): boolean => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/**
 * The shape of a JSON-RPC 2.0 message: a request or notification (method), or a response (id
 * with result or error). Field types beyond that are left to the SDK transport, which checks
 * every message against the full schema; this cheap check exists to answer -32600 precisely.
 */
export function looksLikeJsonRpc(m: unknown): boolean {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return false;
  const o = m as Record<string, unknown>;
  if (o.jsonrpc !== '2.0') return false;
  if (typeof o.method === 'string') return o.id === undefined || isId(o.id);
  return isId(o.id) && ('result' in o || 'error' in o);
}

export type BodyCheck = { ok: true; value: unknown } | { ok: false; response: Response };

export function validateRpcBody(text: string): BodyCheck {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, response: rpcError(400, -32700, 'Parse error: the body is not valid JSON') };
  }
  const items = Array.isArray(raw) ? raw : [raw];
  if (items.length === 0)
    return { ok: false, response: rpcError(400, -32600, 'Invalid Request: empty batch') };
  for (const item of items) {
    if (!looksLikeJsonRpc(item)) {
      const id =
        typeof item === 'object' && item !== null && 'id' in item ? (item as { id: unknown }).id : null;
      return {
        ok: false,
        response: rpcError(
          400,
          -32600,
          'Invalid Request: not a JSON-RPC 2.0 message',
          {},
          typeof id === 'string' || typeof id === 'number' ? id : null,
        ),
      };
    }
  }
  return { ok: true, value: raw };
}

export function isInitialize(body: unknown): boolean {
  const items: unknown[] = Array.isArray(body) ? body : [body];
  return items.some(
    (m) => typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'initialize',
  );
}
