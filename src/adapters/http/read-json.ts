import type { Context } from 'hono';
import { GatewayError } from '../../core/errors.js';
import { jsonTextDepthExceeds } from '../../core/json.js';
import { headerOf, readBodyBytes } from './read-body.js';

export interface BodyLimits {
  maxBytes: number;
  maxDepth: number;
}

/**
 * Reads a JSON request body within limits (read-body.ts: an oversized body is refused without
 * buffering it). Depth is checked on the text before JSON.parse builds anything.
 */
export async function readJsonBody(c: Context, limits: BodyLimits): Promise<unknown> {
  const type = headerOf(c, 'content-type') ?? '';
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new GatewayError('unsupported_media_type', 'send the body as application/json');
  }
  const bytes = await readBodyBytes(c, limits.maxBytes);
  if (bytes === null)
    throw new GatewayError('payload_too_large', `body exceeds the limit of ${limits.maxBytes} bytes`);
  if (bytes.length === 0) throw new GatewayError('invalid_json', 'request body is empty');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
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
