/**
 * JSON arguments <-> scan parts. Every string (and every long number: card numbers travel as
 * numbers too) in an arguments object becomes a part named by its path (`args.to`,
 * `args.items[0].body`, `args["x-y"]`); redacted part texts are written back into a copy.
 * Iterative, so hostile nesting cannot overflow the stack.
 */
import type { JsonValue } from '../json.js';
import type { ScanPart } from './types.js';

const IDENT = /^[A-Za-z_$][\w$]*$/;

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return IDENT.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** Numbers with at least this many digits are scanned as text. */
const MIN_NUMBER_DIGITS = 6;

export function collectParts(value: JsonValue | undefined, root: string, maxDepth = 64): ScanPart[] {
  const out: ScanPart[] = [];
  if (value === undefined) return out;
  const stack: Array<[JsonValue, string, number]> = [[value, root, 0]];
  while (stack.length > 0) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === 'string') out.push({ part: path, text: v });
    else if (typeof v === 'number') {
      const s = String(v);
      if (s.replace(/\D/g, '').length >= MIN_NUMBER_DIGITS) out.push({ part: path, text: s });
    } else if (v !== null && typeof v === 'object' && depth < maxDepth) {
      const entries: Array<[string | number, JsonValue]> = Array.isArray(v)
        ? v.map((x, i) => [i, x])
        : Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--)
        stack.push([entries[i]![1], childPath(path, entries[i]![0]), depth + 1]);
    }
  }
  return out;
}

/** A copy of `value` with the parts in `replaced` (path -> new text) written back. */
export function applyParts<T extends JsonValue>(
  value: T,
  root: string,
  replaced: ReadonlyMap<string, string>,
): T {
  if (replaced.size === 0) return value;
  const copy = structuredClone(value);
  if (replaced.has(root) && (typeof copy === 'string' || typeof copy === 'number'))
    return replaced.get(root) as T;
  const stack: Array<[JsonValue, string]> = [[copy, root]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      v.forEach((child, i) => {
        const p = childPath(path, i);
        const r = replaced.get(p);
        if (r !== undefined && (typeof child === 'string' || typeof child === 'number')) v[i] = r;
        else stack.push([child, p]);
      });
    } else {
      for (const [k, child] of Object.entries(v)) {
        const p = childPath(path, k);
        const r = replaced.get(p);
        if (r !== undefined && (typeof child === 'string' || typeof child === 'number')) v[k] = r;
        else stack.push([child, p]);
      }
    }
  }
  return copy;
}
