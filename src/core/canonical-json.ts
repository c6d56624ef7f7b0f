import canonicalizeModule from 'canonicalize';
import { GatewayError } from './errors.js';
import type { JsonObject, JsonValue } from './json.js';

// The package is CommonJS (`module.exports = fn`) but its typings declare an ES default export;
// under NodeNext the default import is the function at run time, so the type is restated here.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/**
 * RFC 8785 (JCS) canonical JSON. Plain JSON values go through canonicalCopy and the engine's
 * JSON.stringify; anything else (integer-like keys, `__proto__`, toJSON, holes) through the
 * reference path: the `canonicalize` package, behind checks that reject what JCS cannot represent
 * (lone surrogates, which I-JSON forbids, non-finite numbers, values that are not JSON such as
 * undefined, functions and bigint).
 */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(canonicalCopy(value, false));
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
  }
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

/**
 * Thrown by canonicalCopy for anything it does not place exactly as the reference path would
 * (errors included): the caller then takes that path, which also reports the errors. One
 * instance, made once: it is caught right away and never reported.
 */
export const NOT_PLAIN = new Error('take the reference path');

/**
 * A copy of a JSON value with every object's members in RFC 8785 order (sorted by UTF-16 code
 * units, as Array.prototype.sort compares strings), deep-frozen when `freeze` is set. For such a
 * copy JSON.stringify writes exactly the canonical form: RFC 8785 defines its number and string
 * serialisation as ECMAScript's JSON.stringify does it, and the copy holds only plain objects,
 * arrays, well-formed strings, finite numbers, booleans and null. The engine's native
 * JSON.stringify is then the encoder, several times faster than assembling the text in script.
 *
 * Throws NOT_PLAIN for keys that start with a digit (the engine lists integer-like keys such as
 * "9" and "10" before all others in numeric order, whatever the insertion order, so the copy
 * could not hold them in canonical order), `__proto__` keys, lone surrogates, non-finite numbers,
 * holes and undefined array elements, objects that are not plain (toJSON, class instances) and
 * anything that is not JSON.
 */
export function canonicalCopy(value: unknown, freeze: boolean): JsonValue {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      if (hasLoneSurrogate(value)) throw NOT_PLAIN;
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw NOT_PLAIN;
      return value;
    case 'boolean':
      return value;
    case 'object':
      break;
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw NOT_PLAIN;
  }
  if (Array.isArray(value)) {
    const copy: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v === undefined) throw NOT_PLAIN;
      copy.push(canonicalCopy(v, freeze));
    }
    return freeze ? (Object.freeze(copy) as JsonValue[]) : copy;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const copy: JsonObject = {};
  for (const k of sortedKeys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    if (!plainKey(k)) throw NOT_PLAIN;
    copy[k] = canonicalCopy(v, freeze);
  }
  return freeze ? Object.freeze(copy) : copy;
}

/** A key canonicalCopy can place: not integer-like (see above), not `__proto__`, well-formed. */
function plainKey(k: string): boolean {
  const c = k.charCodeAt(0);
  return !(c >= 0x30 && c <= 0x39) && k !== '__proto__' && !hasLoneSurrogate(k);
}

/**
 * The object's own enumerable keys in code-unit order, as `Object.keys(o).sort()` gives them. Up
 * to 16 keys (nearly every object in an event) are sorted in place by insertion: the engine's sort
 * allocates working storage on every call, which for the hundred-odd small objects of each ledger
 * event was most of the garbage a gateway call made. `<` on strings compares UTF-16 code units,
 * exactly as the default sort does, and keys are never equal.
 */
export function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}
