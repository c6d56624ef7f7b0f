import type { Context } from 'hono';
import { GatewayError } from '../../core/errors.js';
import { jsonTextDepthExceeds } from '../../core/json.js';

export interface BodyLimits {
  maxBytes: number;
  maxDepth: number;
}

/**
 * Reads a JSON request body within limits: the declared length is checked first, then the
 * stream is counted as it arrives, so an oversized body is refused without buffering it. Depth
 * is checked on the text before JSON.parse builds anything.
 */
export async function readJsonBody(c: Context, limits: BodyLimits): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new GatewayError('unsupported_media_type', 'send the body as application/json');
  }
  const declared = Number(c.req.header('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    throw new GatewayError('payload_too_large', `body is ${declared} bytes; the limit is ${limits.maxBytes}`);
  }
  const body = c.req.raw.body;
  if (body === null) throw new GatewayError('invalid_json', 'request body is empty');
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limits.maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new GatewayError('payload_too_large', `body exceeds the limit of ${limits.maxBytes} bytes`);
    }
    chunks.push(value);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new GatewayError('invalid_json', 'body is not valid UTF-8');
  }
  if (jsonTextDepthExceeds(text, limits.maxDepth)) {
    throw new GatewayError('nesting_too_deep', `JSON nesting exceeds ${limits.maxDepth} levels`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's message quotes the input; it is not echoed (it may hold secrets).
    throw new GatewayError('invalid_json', 'body is not valid JSON');
  }
}
