import type { JsonObject, JsonValue } from './json.js';

export const REDACTED = '[REDACTED]';

/**
 * Returns a copy of `root` with the values at the given dotted paths replaced by REDACTED.
 * Paths are written from the policy's point of view (`action.args.account_number`); `prefix`
 * is stripped first (`action.`) so the same obligation applies to the action object. A `*`
 * segment matches every key or index at that level. Missing paths are ignored.
 */
export function redactPaths(root: JsonObject, paths: readonly string[], prefix = ''): JsonObject {
  if (paths.length === 0) return root;
  let out: JsonValue = root;
  for (const full of paths) {
    if (prefix !== '' && !full.startsWith(prefix)) continue;
    const segments = full
      .slice(prefix.length)
      .split('.')
      .filter((s) => s !== '');
    if (segments.length > 0) out = redactAt(out, segments, 0);
  }
  return out as JsonObject;
}

function redactAt(node: JsonValue, segments: string[], i: number): JsonValue {
  if (node === null || typeof node !== 'object') return node;
  const seg = segments[i]!;
  const last = i === segments.length - 1;
  if (Array.isArray(node)) {
    const copy = node.slice();
    const indices = seg === '*' ? copy.map((_, k) => k) : /^\d+$/.test(seg) ? [Number(seg)] : [];
    for (const k of indices) {
      if (k < copy.length) copy[k] = last ? REDACTED : redactAt(copy[k]!, segments, i + 1);
    }
    return copy;
  }
  const copy: JsonObject = { ...node };
  const keys = seg === '*' ? Object.keys(copy) : Object.prototype.hasOwnProperty.call(copy, seg) ? [seg] : [];
  for (const k of keys) copy[k] = last ? REDACTED : redactAt(copy[k]!, segments, i + 1);
  return copy;
}
