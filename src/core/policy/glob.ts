/**
 * Target globs for action kinds and tool names. The only wildcard is `*`, which matches any run
 * of characters, dots included (`payments.*` matches `payments.transfer` and `payments.v2.refund`).
 * Matching is linear and regex-free.
 */

export const GLOB_PATTERN = /^[A-Za-z0-9_.:/@*-]+$/;
export const GLOB_HINT = 'a name or glob of letters, digits, _ . : / @ - and the wildcard *';

export type GlobShape =
  | { kind: 'exact'; value: string }
  | { kind: 'prefix'; prefix: string }
  | { kind: 'any' }
  | { kind: 'general'; parts: string[] };

/** Classifies a glob so the index can put it in the cheapest structure. */
export function globShape(glob: string): GlobShape {
  const star = glob.indexOf('*');
  if (star < 0) return { kind: 'exact', value: glob };
  if (/^\*+$/.test(glob)) return { kind: 'any' };
  if (star === glob.length - 1) return { kind: 'prefix', prefix: glob.slice(0, -1) };
  // Collapse runs of stars: `a**b` is `a*b`.
  return { kind: 'general', parts: glob.split(/\*+/) };
}

/** Does `name` match `glob`? */
export function globMatches(glob: string, name: string): boolean {
  return shapeMatches(globShape(glob), name);
}

export function shapeMatches(shape: GlobShape, name: string): boolean {
  switch (shape.kind) {
    case 'exact':
      return name === shape.value;
    case 'prefix':
      return name.startsWith(shape.prefix);
    case 'any':
      return true;
    case 'general':
      return matchParts(shape.parts, name);
  }
}

/**
 * `parts` are the literal pieces between stars (first and last may be empty). Greedy left-to-
 * right search is exact for `*`-only globs: the first piece anchors the start, the last the end,
 * and each middle piece may as well take its earliest occurrence.
 */
function matchParts(parts: string[], name: string): boolean {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (name.length < first.length + last.length) return false;
  if (!name.startsWith(first) || !name.endsWith(last)) return false;
  let pos = first.length;
  const end = name.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const at = name.indexOf(part, pos);
    if (at < 0 || at + part.length > end) return false;
    pos = at + part.length;
  }
  return true;
}

/**
 * Does `outer` match every name that `inner` matches? Exact for exact names, prefix globs and
 * `*`; for other shapes it only answers true when the globs are equal (lint must not over-warn).
 */
export function globCovers(outer: string, inner: string): boolean {
  const o = globShape(outer);
  const i = globShape(inner);
  if (o.kind === 'any') return true;
  switch (i.kind) {
    case 'exact':
      return shapeMatches(o, i.value);
    case 'prefix':
      return o.kind === 'prefix' && i.prefix.startsWith(o.prefix);
    case 'any':
      return false;
    case 'general':
      if (o.kind === 'prefix') return i.parts[0]!.startsWith(o.prefix);
      return outer === inner;
  }
}

/** Does the pattern list `outer` (empty = anything) cover the list `inner` (empty = anything)? */
export function listCovers(outer: readonly string[], inner: readonly string[]): boolean {
  if (outer.length === 0) return true;
  if (inner.length === 0) return outer.some((g) => globShape(g).kind === 'any');
  return inner.every((g) => outer.some((o) => globCovers(o, g)));
}
