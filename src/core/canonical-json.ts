import canonicalizeModule from 'canonicalize';
import { GatewayError } from './errors.js';

// The package is CommonJS (`module.exports = fn`) but its typings declare an ES default export;
// under NodeNext the default import is the function at run time, so the type is restated here.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/**
 * RFC 8785 (JCS) canonical JSON. The `canonicalize` package does the serialisation; this wrapper
 * rejects what JCS cannot represent: lone surrogates (I-JSON forbids them), non-finite numbers
 * and values that are not JSON (undefined, functions, bigint).
 */
export function canonicalJson(value: unknown): string {
  assertCanonicalizable(value);
  const text = canonicalize(value);
  if (text === undefined) throw new GatewayError('invalid_request', 'value has no JSON representation');
  return text;
}

export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

function hasLoneSurrogate(s: string): boolean {
  // String.prototype.isWellFormed (Node 20+) is false exactly when a lone surrogate is present.
  return !(s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

function assertCanonicalizable(root: unknown): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v === 'boolean') continue;
    if (typeof v === 'string') {
      if (hasLoneSurrogate(v)) throw new GatewayError('invalid_request', 'string contains a lone surrogate');
      continue;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new GatewayError('invalid_request', 'number is not finite');
      continue;
    }
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    if (typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (hasLoneSurrogate(k)) throw new GatewayError('invalid_request', 'key contains a lone surrogate');
        if (x !== undefined) stack.push(x);
      }
      continue;
    }
    throw new GatewayError('invalid_request', `value of type ${typeof v} is not JSON`);
  }
}
